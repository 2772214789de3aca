/// What compressing one request produced.
package struct CompressionOutcome: Sendable {
    /// The body to forward: the compressed one, or the original when nothing changed or
    /// compression failed open.
    package var body: JSONValue
    /// Whether `body` differs from what the client sent. When false, the proxy forwards
    /// the client's original bytes.
    package var changed: Bool
    /// Prompt tokens of the original and the forwarded request (exact or estimated, as
    /// the request's front counts them).
    package var tokensIn: Int
    package var tokensOut: Int
    /// Per-stage savings, in pipeline order.
    package var stages: [StageSavings]
    /// Why the original was forwarded after a failure or overrun, if it was.
    package var failOpenReason: String?
    /// Time spent compressing.
    package var elapsed: Duration

    package init(
        body: JSONValue, changed: Bool, tokensIn: Int, tokensOut: Int,
        stages: [StageSavings] = [], failOpenReason: String? = nil, elapsed: Duration = .zero
    ) {
        self.body = body
        self.changed = changed
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.stages = stages
        self.failOpenReason = failOpenReason
        self.elapsed = elapsed
    }

    package var tokensSaved: Int { tokensIn - tokensOut }

    /// The forwarded body read as an OpenAI chat request: for outcomes of the
    /// `openai-chat` front, whose forwarded bodies are valid chat requests by the front
    /// invariant. Anything else reads as a request without messages.
    package var chatRequest: ChatRequest {
        (try? ChatRequest.validate(body)) ?? ChatRequest(body: body.objectValue ?? [:], messages: [])
    }
}
