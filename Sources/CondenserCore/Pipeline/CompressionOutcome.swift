/// What compressing one request produced.
public struct CompressionOutcome: Sendable {
    /// The body to forward: the compressed one, or the original when nothing changed or
    /// compression failed open.
    public var body: JSONValue
    /// Whether `body` differs from what the client sent. When false, the proxy forwards
    /// the client's original bytes.
    public var changed: Bool
    /// Prompt tokens of the original and the forwarded request (exact or estimated, as
    /// the request's front counts them).
    public var tokensIn: Int
    public var tokensOut: Int
    /// Per-stage savings, in pipeline order.
    public var stages: [StageSavings]
    /// Why the original was forwarded after a failure or overrun, if it was.
    public var failOpenReason: String?
    /// Time spent compressing.
    public var elapsed: Duration

    public init(
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

    public var tokensSaved: Int { tokensIn - tokensOut }

    /// The forwarded body read as an OpenAI chat request: for outcomes of the
    /// `openai-chat` front, whose forwarded bodies are valid chat requests by the front
    /// invariant. Anything else reads as a request without messages.
    public var chatRequest: ChatRequest {
        (try? ChatRequest.validate(body)) ?? ChatRequest(body: body.objectValue ?? [:], messages: [])
    }
}
