import CondenserCore
import Logging

/// Everything `condenser serve` can be told, after the file, the environment and the
/// flags have been applied in that order.
package struct CondenserConfiguration: Sendable, Equatable {
    /// Where `serve` and `check-config` look when `--config` isn't given.
    package static let defaultPath = "/etc/condenser/condenser.toml"

    /// Addresses to bind when systemd passed no sockets.
    package var listen: [ListenAddress] = [
        ListenAddress(host: "127.0.0.1", port: 8642), ListenAddress(host: "::1", port: 8642),
    ]
    /// The OpenAI-compatible base URL requests go to, `/v1` included.
    package var upstream: UpstreamURL = UpstreamURL(validating: "https://api.generalcompute.com/v1")!
    /// A file holding the upstream API key, used when a client sends no `Authorization`.
    var upstreamKeyFile: String?
    /// The key from `upstreamKeyFile` or `$CREDENTIALS_DIRECTORY/upstream-key`, if any.
    var upstreamKey: UpstreamKey?
    /// Anthropic's base URL, without `/v1`: a client's `/v1/messages` goes to `<url>/v1/messages`.
    var anthropicUpstream: UpstreamURL = UpstreamURL(validating: "https://api.anthropic.com")!
    /// A file holding the Anthropic API key, sent as `x-api-key` when a client sends
    /// neither `x-api-key` nor `Authorization`.
    var anthropicKeyFile: String?
    /// The key from `anthropicKeyFile` or `$CREDENTIALS_DIRECTORY/anthropic-key`, if any.
    var anthropicKey: UpstreamKey?
    var connectTimeout: Duration = .seconds(10)
    /// Longest wait for the upstream's response head.
    var requestTimeout: Duration = .seconds(600)
    /// Longest silence between two chunks of an upstream response body.
    var streamIdleTimeout: Duration = .seconds(300)
    /// Most requests open to the upstream at once; more wait, within the request timeout.
    var upstreamMaxConnections = 1024
    /// Largest request body accepted, after gzip inflation.
    var maxBodyBytes: Int = 32 * 1024 * 1024
    /// Most memory that request bodies being read, compressed and sent may hold at once;
    /// more wait, within the request timeout.
    var maxInflightBytes: Int = 256 * 1024 * 1024
    /// Longest wait for a client's request head, from the connection's opening or the end
    /// of the previous response; then the connection is closed.
    var clientHeaderTimeout: Duration = .seconds(20)
    /// Longest stall (less than 1 KiB arriving) while a client's request body is being received.
    var clientBodyIdleTimeout: Duration = .seconds(30)
    /// Most client connections open at once; more are closed as soon as they are accepted.
    var maxConnections: Int = 2048
    package var logLevel: Logger.Level = .info
    /// Debug only: allows prompt text in logs.
    package var logPrompts = false
    /// Extra `Host` names (without port) accepted besides loopback; `*` accepts any.
    var allowedHosts: [String] = []
    /// `Origin` values accepted; by default any request with an `Origin` is refused.
    var allowedOrigins: [String] = []
    /// Whether listening beyond loopback is allowed. It needs a client token.
    var allowRemote = false
    /// A file holding the token clients must present (`Authorization: Bearer` or `x-api-key`).
    var clientTokenFile: String?
    /// The token from `clientTokenFile` or `$CREDENTIALS_DIRECTORY/client-token`, if any.
    /// When set, every request must carry it, from loopback too.
    var clientToken: ClientToken?
    /// How long SIGTERM waits for in-flight requests and streams before closing them.
    var shutdownGrace: Duration = .seconds(10)
    /// When socket-activated, exit after this long with no open connection; the socket
    /// starts the daemon again on the next one. Nil never exits.
    var idleExit: Duration? = .seconds(900)
    /// The pipeline's settings (`[compression]`).
    package var compression = PipelineSettings()

    /// The compression mode used when a request doesn't pick one with `X-Condenser-Mode`.
    var compressionMode: CompressionMode {
        get { compression.mode }
        set { compression.mode = newValue }
    }

    package init() {}
}

/// A `host:port` to listen on; IPv6 hosts are written in brackets (`[::1]:8642`).
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    var host: String
    var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `host:port`, or returns why it can't.
    static func parse(_ text: String) -> Result<ListenAddress, ParseFailure> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.init(reason: "has no closing ']'")) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(.init(reason: "has no port (expected [address]:port)")) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(.init(reason: "has no port (expected host:port)")) }
            host = text[..<colon]
            guard !host.contains(":") else {
                return .failure(.init(reason: "is ambiguous: write IPv6 addresses in brackets, e.g. [::1]:8642"))
            }
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(.init(reason: "has no host")) }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(.init(reason: "is not a valid port"))
        }
        return .success(ListenAddress(host: String(host), port: port))
    }

    struct ParseFailure: Error {
        var reason: String
    }
}

/// The upstream base URL, split so request paths can be appended.
package struct UpstreamURL: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    var scheme: String
    /// `host` or `host:port`, as written.
    var authority: String
    /// The base path without a trailing slash, e.g. `/v1`.
    var basePath: String

    /// Accepts `http(s)://host[:port][/path]`; nil for anything else.
    package init?(validating text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains(where: \.isWhitespace) else { return nil }
        var path = rest[authorityEnd...]
        guard !path.contains("?"), !path.contains("#"), !path.contains(where: \.isWhitespace) else { return nil }
        while path.hasSuffix("/") { path = path.dropLast() }
        self.scheme = scheme
        self.authority = String(authority)
        self.basePath = String(path)
    }

    package var description: String { "\(scheme)://\(authority)\(basePath)" }

    /// The upstream URL for a client's path and query appended whole to the base URL
    /// (whose path, for Anthropic, stops before `/v1`).
    func url(appendingClientPath pathAndQuery: String) -> String {
        "\(scheme)://\(authority)\(basePath)\(pathAndQuery)"
    }

    /// The upstream URL for a client's `/v1/...` path and query: the client's `/v1`
    /// prefix is replaced by the base URL (which usually ends in `/v1` itself).
    func url(forClientPath pathAndQuery: String) -> String {
        var rest = Substring(pathAndQuery)
        if rest.hasPrefix("/v1") { rest = rest.dropFirst(3) }
        return "\(scheme)://\(authority)\(basePath)\(rest)"
    }
}

/// An API key read from a file; never printed.
struct UpstreamKey: Sendable, Hashable, CustomStringConvertible {
    var value: String
    /// Where it came from, for `check-config`.
    var source: String

    init(value: String, source: String) {
        self.value = value
        self.source = source
    }

    var description: String { "(key from \(source))" }
}

/// The token clients present to Condenser; never printed.
struct ClientToken: Sendable, Hashable, CustomStringConvertible {
    var value: String
    /// Where it came from, for `check-config`.
    var source: String

    init(value: String, source: String) {
        self.value = value
        self.source = source
    }

    var description: String { "(token from \(source))" }
}
