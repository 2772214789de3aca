@testable import CondenserCore

/// Test conveniences: the pipeline's entry points for an OpenAI chat request, and what
/// its ledger holds for a request.
extension CompressionPipeline {
    /// Compresses an OpenAI chat request with a time budget other than the settings' one.
    func compress(_ chat: ChatRequest, mode: CompressionMode, timeBudgetMilliseconds: Int) -> CompressionOutcome {
        compress(OpenAIChatFront.request(chat), mode: mode, timeBudgetMilliseconds: timeBudgetMilliseconds)
    }

    /// Compresses an OpenAI chat request as if forwarded at `now`.
    func compress(
        _ chat: ChatRequest, mode: CompressionMode, timeBudgetMilliseconds: Int, at now: ContinuousClock.Instant
    ) -> CompressionOutcome {
        compress(OpenAIChatFront.request(chat), mode: mode, timeBudgetMilliseconds: timeBudgetMilliseconds, at: now)
    }

    /// The summary boundary an OpenAI chat request went upstream with, if it did lately.
    func forwardedBoundary(of chat: ChatRequest, mode: CompressionMode) -> Int? {
        forwardedBoundary(of: OpenAIChatFront.request(chat), mode: mode)
    }

    /// The summary boundary this request went upstream with, if it did lately.
    func forwardedBoundary(of request: FrontRequest, mode: CompressionMode) -> Int? {
        ledgerEntry(of: request, mode: mode)?.boundary
    }

    /// The ledger entry of exactly this request's messages, if it went upstream lately.
    func ledgerEntry(of request: FrontRequest, mode: CompressionMode) -> CutLedger.Entry? {
        guard let counting = try? counterFor(request.model) else { return nil }
        let keys = conversationKeys(request.conversation.messages.map(\.contentHash), modeKey: modeKey(mode, counting))
        guard let key = keys.last else { return nil }
        return ledger.entry(for: key)
    }
}
