extension OpenAIResponsesFront {
    /// Whether a request asks to switch its connection to WebSocket (as recent Codex
    /// versions try on `/v1/responses`): an `Upgrade` header listing `websocket`, or a
    /// `Sec-WebSocket-Key` header. Header names and the token are case-insensitive; a
    /// header may come more than once.
    package static func isWebSocketUpgrade<Headers: Sequence>(headers: Headers) -> Bool
    where Headers.Element == (name: String, value: String) {
        for (name, value) in headers {
            switch name.lowercased() {
            case "upgrade":
                let tokens = value.split(separator: ",").map { String($0.filter { $0 != " " && $0 != "\t" }).lowercased() }
                // A token may carry a version: `websocket/13`.
                if tokens.contains(where: { $0 == "websocket" || $0.hasPrefix("websocket/") }) { return true }
            case "sec-websocket-key":
                return true
            default:
                continue
            }
        }
        return false
    }

    /// The status that refuses a WebSocket upgrade: 426 Upgrade Required, which Codex
    /// treats as "this endpoint has no WebSocket" and retries the turn over HTTP.
    package static let webSocketRefusalStatus = 426

    /// The error a refused WebSocket upgrade gets, for an OpenAI-shaped error body.
    package static let webSocketRefusal = FrontRequestError(
        "Condenser serves the Responses API over HTTP only, not over WebSocket: send POST /v1/responses as an ordinary HTTP "
            + "request (\"stream\": true for server-sent events). In Codex CLI, set supports_websockets = false in the "
            + "[model_providers.<name>] block that points at Condenser.",
        code: "websocket_not_supported")
}
