/// The pipeline hook of the proxy: a front's request in, the body to forward out.
///
/// Implementations are synchronous and must not throw: a failure forwards the original
/// (fail open) and says why in `failOpenReason`.
package protocol ChatCompressor: Sendable {
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
    package func compressOffPool(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome {
        compress(request, mode: mode)
    }

    /// `compress`: for compressors that keep no conversation state.
    package func preview(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome {
        compress(request, mode: mode)
    }

    /// Compresses an OpenAI chat request (the `openai-chat` front).
    package func compress(_ chat: ChatRequest, mode: CompressionMode) -> CompressionOutcome {
        compress(OpenAIChatFront.request(chat), mode: mode)
    }

    /// `compressOffPool` for an OpenAI chat request (the `openai-chat` front).
    func compressOffPool(_ chat: ChatRequest, mode: CompressionMode) async -> CompressionOutcome {
        await compressOffPool(OpenAIChatFront.request(chat), mode: mode)
    }
}
