import HTTPTypes
import Hummingbird
import NIOHTTP1

/// Which headers cross the proxy. Hop-by-hop headers belong to one connection and are
/// dropped both ways (RFC 9110 §7.6.1), along with any header the `Connection` header names.
enum HeaderFilter {
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-connection", "proxy-authenticate", "proxy-authorization",
    ]

    /// Headers the proxy sets itself on the way up.
    static let replacedUpstream: Set<String> = ["host", "content-length", "accept-encoding"]

    static func isHopByHop(_ name: String, connectionTokens: Set<String>) -> Bool {
        hopByHop.contains(name) || name.hasPrefix("proxy-") || connectionTokens.contains(name)
    }

    static func connectionTokens(_ values: [String]) -> Set<String> {
        var tokens: Set<String> = []
        for value in values {
            for token in value.split(separator: ",") {
                tokens.insert(token.trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        return tokens
    }

    /// The client's headers as sent upstream: hop-by-hop, `Host`, `Content-Length`
    /// (recomputed), Condenser's own `X-Condenser-*` and, when asked, `Content-Encoding`
    /// removed; `Accept-Encoding: identity` added so the body comes back as is.
    static func upstreamHeaders(from fields: HTTPFields, dropContentEncoding: Bool, authorization: String?) -> HTTPHeaders {
        upstreamHeaders(
            from: fields, dropContentEncoding: dropContentEncoding, key: authorization.map { ("Authorization", $0) },
            clientKeyHeaders: ["authorization"])
    }

    /// `upstreamHeaders`, with a configured `key` header added when the client sent none
    /// of `clientKeyHeaders` (lowercased names).
    static func upstreamHeaders(
        from fields: HTTPFields, dropContentEncoding: Bool, key: (name: String, value: String)?, clientKeyHeaders: Set<String>
    ) -> HTTPHeaders {
        let tokens = connectionTokens(fields[values: .connection])
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count + 1)
        var hasClientKey = false
        for field in fields {
            let name = field.name.canonicalName
            if isHopByHop(name, connectionTokens: tokens) || replacedUpstream.contains(name) || name.hasPrefix("x-condenser-") {
                continue
            }
            if dropContentEncoding, name == "content-encoding" { continue }
            if clientKeyHeaders.contains(name) { hasClientKey = true }
            headers.add(name: field.name.rawName, value: field.value)
        }
        if !hasClientKey, let key {
            headers.add(name: key.name, value: key.value)
        }
        headers.add(name: "Accept-Encoding", value: "identity")
        return headers
    }

    /// The upstream's response headers for the client, hop-by-hop ones removed.
    static func clientHeaders(from headers: HTTPHeaders) -> HTTPFields {
        let tokens = connectionTokens(headers["connection"])
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count)
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard !isHopByHop(lowered, connectionTokens: tokens), let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}
