@testable import CondenserCore

/// Test conveniences: the pipeline's entry points for an OpenAI chat request.
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
}
