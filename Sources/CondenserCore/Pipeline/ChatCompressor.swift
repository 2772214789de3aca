/// How hard Condenser may compress a request.
public enum CompressionMode: String, Sendable, CaseIterable, Codable {
    /// Forward the request as it came.
    case off
    /// Lossless and near-lossless stages only, plus summaries far outside the recency window.
    case safe
    /// Every stage, with tighter windows.
    case aggressive
}

/// Tokens one stage removed from a request.
public struct StageSavings: Sendable, Hashable, Codable {
    /// The stage's stable name, as it appears in records and reports (`whitespace`, `dedupe`).
    public var stage: String
    public var tokensBefore: Int
    public var tokensAfter: Int

    public init(stage: String, tokensBefore: Int, tokensAfter: Int) {
        self.stage = stage
        self.tokensBefore = tokensBefore
        self.tokensAfter = tokensAfter
    }

    public var tokensSaved: Int { tokensBefore - tokensAfter }
}

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

/// The pipeline hook of the proxy: a front's request in, the body to forward out.
///
/// Implementations are synchronous and must not throw: a failure forwards the original
/// (fail open) and says why in `failOpenReason`.
public protocol ChatCompressor: Sendable {
    func compress(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome

    /// `compress`, for a caller on Swift's cooperative pool, whose threads (one per core)
    /// every request's relay needs: an implementation whose work can be long does it on
    /// threads of its own while the caller waits suspended. Same contract as `compress`.
    func compressOffPool(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome

    /// What `compressOffPool` would forward for `request` now, with no effect on any
    /// conversation's state (a token count of the request to come).
    func preview(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome
}

extension ChatCompressor {
    /// Compresses on the caller's thread: for compressors whose work is always short.
    public func compressOffPool(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome {
        compress(request, mode: mode)
    }

    /// `compress`: for compressors that keep no conversation state.
    public func preview(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome {
        compress(request, mode: mode)
    }

    /// Compresses an OpenAI chat request (the `openai-chat` front).
    public func compress(_ chat: ChatRequest, mode: CompressionMode) -> CompressionOutcome {
        compress(OpenAIChatFront.request(chat), mode: mode)
    }

    /// `compressOffPool` for an OpenAI chat request (the `openai-chat` front).
    public func compressOffPool(_ chat: ChatRequest, mode: CompressionMode) async -> CompressionOutcome {
        await compressOffPool(OpenAIChatFront.request(chat), mode: mode)
    }
}

/// Forwards every request unchanged, counting its tokens.
public struct IdentityCompressor: ChatCompressor {
    let countTokens: @Sendable (FrontRequest) -> Int

    public init(countTokens: @escaping @Sendable (FrontRequest) -> Int = { _ in 0 }) {
        self.countTokens = countTokens
    }

    public func compress(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome {
        let tokens = countTokens(request)
        return CompressionOutcome(body: request.body, changed: false, tokensIn: tokens, tokensOut: tokens)
    }
}
