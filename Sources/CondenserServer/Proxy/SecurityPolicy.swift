import HTTPTypes
import Hummingbird
import NIOCore

/// Decides whether a request is served, before anything reaches the upstream.
///
/// A loopback daemon is guarded against web pages: a page can make a browser send
/// requests to 127.0.0.1 (through DNS rebinding, with a foreign `Host`) or cross-origin
/// (with an `Origin`), so both are refused unless the configuration names them. `Host`
/// must be exactly one well-formed `host[:port]`, and a path may not climb out of the
/// API with dot segments. A client from another machine is served only with remote
/// access on, and when a client token is configured every client must present it.
enum SecurityPolicy {
    enum Admission {
        /// Serve this request: the one that came, less the header that carried the client token.
        case admitted(Request)
        case refused(OpenAIError)
    }

    static let hostHeader = HTTPField.Name("Host")!

    static func admit(_ request: Request, configuration: CondenserConfiguration, peer: SocketAddress?) -> Admission {
        // HTTP/1 `Host` arrives as the request's authority; a second one stays a header field.
        guard let authority = request.head.authority else {
            return .refused(
                .badRequest("The request has no Host header; send exactly one, such as \"Host: localhost:8642\".", code: "invalid_host"))
        }
        if request.headers.contains(hostHeader) {
            return .refused(.badRequest("The request has more than one Host header; send exactly one.", code: "invalid_host"))
        }
        guard let host = HostHeader(authority) else {
            return .refused(
                .badRequest(
                    "The Host header \"\(printable(authority))\" is not a host[:port] (a name or IPv4 address, or an IPv6 address in brackets, then an optional numeric port).",
                    code: "invalid_host"))
        }
        let target = request.head.path ?? ""
        if let dot = DotSegments.first(in: target) {
            return .refused(
                .badRequest(
                    "The request path \"\(printable(target))\" has a \"\(dot)\" segment (raw or percent-encoded); Condenser refuses paths with dot segments, which could reach outside the API it forwards to.",
                    code: "invalid_path"))
        }
        if !configuration.allowRemote, let peer, !ListenerExposure.isLoopback(peer) {
            return .refused(
                .forbidden(
                    "Condenser serves this machine only, and this request came from \(peer.condenserDescription); set security.allow_remote = true, with a client token, to serve other machines."
                ))
        }
        if let origin = request.headers[.origin] {
            let allowed = configuration.allowedOrigins
            if !(allowed.contains("*") || allowed.contains(origin)) {
                return .refused(
                    .forbidden(
                        "Condenser refuses requests that carry an Origin header (\(printable(origin))); list the origin in security.allowed_origins to allow it."
                    ))
            }
        }
        let allowedHosts = configuration.allowedHosts
        if !(host.isLoopback || allowedHosts.contains("*") || allowedHosts.contains(host.host)) {
            return .refused(
                .forbidden(
                    "Condenser only answers requests addressed to a loopback host, not \(printable(authority)); list the host in security.allowed_hosts to allow it."
                ))
        }
        guard let token = configuration.clientToken else { return .admitted(request) }
        switch ClientAuthentication.authenticate(request.headers, token: token) {
        case .failure(let refusal):
            return .refused(refusal)
        case .success(let fields):
            guard fields.count != request.headers.count else { return .admitted(request) }
            var head = request.head
            head.headerFields = fields
            return .admitted(Request(head: head, body: request.body))
        }
    }

    /// Client text quoted in an error: at most 200 characters, control characters escaped.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(200) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > 200 ? out + "…" : out
    }
}
