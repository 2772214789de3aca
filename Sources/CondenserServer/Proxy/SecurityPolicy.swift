import HTTPTypes
import Hummingbird

/// Guards a loopback daemon against web pages: a page can make a browser send requests
/// to 127.0.0.1 (through DNS rebinding, with a foreign `Host`) or cross-origin (with an
/// `Origin`), so both are refused unless the configuration names them.
enum SecurityPolicy {
    static func refusal(for request: Request, configuration: CondenserConfiguration) -> OpenAIError? {
        if let origin = request.headers[.origin] {
            let allowed = configuration.allowedOrigins
            if !(allowed.contains("*") || allowed.contains(origin)) {
                return .forbidden(
                    "Condenser refuses requests that carry an Origin header (\(origin)); list the origin in security.allowed_origins to allow it."
                )
            }
        }
        // HTTP/1 `Host` arrives as the request's authority.
        if let authority = request.head.authority {
            let host = hostName(of: authority)
            let allowed = configuration.allowedHosts
            if !(isLoopback(host) || allowed.contains("*") || allowed.contains(host)) {
                return .forbidden(
                    "Condenser only answers requests addressed to a loopback host, not \(authority); list the host in security.allowed_hosts to allow it."
                )
            }
        }
        return nil
    }

    /// The host of a `Host` value, without port or IPv6 brackets, lowercased.
    static func hostName(of authority: String) -> String {
        let lowered = authority.lowercased()
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return lowered }
            return String(lowered[lowered.index(after: lowered.startIndex)..<close])
        }
        if let colon = lowered.firstIndex(of: ":") {
            return String(lowered[..<colon])
        }
        return lowered
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "localhost." || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
