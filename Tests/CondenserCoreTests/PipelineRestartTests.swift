import Foundation
import Testing

@testable import CondenserCore

/// What a restart between two requests of a conversation may change (nothing), and how a
/// conversation met again from its start is treated (by its own history).
@Suite struct PipelineRestartTests {
    /// The standard pipeline (the real stages, counting in o200k_base), with a budget no
    /// machine overruns: these tests are about bytes, not time.
    func standardPipeline(stateDirectory: String?, payoff: Double) -> CompressionPipeline {
        var settings = PipelineSettings()
        settings.timeBudgetMilliseconds = 10_000
        settings.summaryPayoff = payoff
        settings.stateDirectory = stateDirectory
        return CompressionPipeline.standard(settings: settings)
    }

    /// A session met first at its 10th request (so cut deep, with summaries), then growing.
    var requests: [ChatRequest] { Array(growingPrefixes(syntheticSession(rounds: 36)).dropFirst(9)) }

    @Test(arguments: [4.0, 0.0])
    func aRestartBetweenAnyTwoRequestsChangesNoForwardedByte(payoff: Double) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let requests = self.requests
        // Requests 20 s apart, all in the past: the state file holds wall-clock times.
        let start = ContinuousClock.now - .seconds(requests.count * 20 + 1)
        let continuous = standardPipeline(stateDirectory: nil, payoff: payoff)
        var summarised = false
        var cutAnewWithoutState = 0
        for (index, request) in requests.enumerated() {
            let at = start + .seconds(index * 20)
            let expected = continuous.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: at)
            // A new process: nothing in memory but what it reads from the state directory,
            // and every message of the request compressed again from scratch.
            let restarted = standardPipeline(stateDirectory: directory.path, payoff: payoff)
            let outcome = restarted.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: at)
            restarted.flushState()
            #expect(outcome.failOpenReason == nil)
            #expect(outcome.chatRequest.serializedBytes() == expected.chatRequest.serializedBytes(), "request \(index)")
            #expect(outcome.tokensOut == expected.tokensOut)
            summarised = summarised || (continuous.forwardedBoundary(of: request, mode: .safe) ?? 0) > 0
            // Without the state, a restarted process takes the conversation for new.
            let amnesiac = standardPipeline(stateDirectory: nil, payoff: payoff)
            let cold = amnesiac.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: at)
            if cold.chatRequest.serializedBytes() != expected.chatRequest.serializedBytes() { cutAnewWithoutState += 1 }
        }
        #expect(summarised)
        #expect(cutAnewWithoutState > 0)
    }

    @Test func aRestartKeepsTheForwardedPrefixOfAGrowingConversation() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let requests = self.requests
        // Requests 20 s apart, all in the past: the state file holds wall-clock times.
        let start = ContinuousClock.now - .seconds(requests.count * 20 + 1)
        var previous: [ChatMessage] = []
        for (index, request) in requests.enumerated() {
            let pipeline = standardPipeline(stateDirectory: directory.path, payoff: 4)
            let forwarded = pipeline.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(index * 20))
                .chatRequest
            pipeline.flushState()
            #expect(forwarded.messages.starts(with: previous), "request \(index)")
            previous = forwarded.messages
        }
    }

    @Test func aConversationMetWholeBeforeIsReplayedByItsOwnHistory() throws {
        // A daemon that has compressed the whole session (cut as deep as the window
        // allows) meets it again from its start: a rerun of the same task. Each request
        // must continue the rerun's previous one, the last included, though it is the
        // very request met before.
        let pipeline = makePipeline(summarizer: FirstAndLastLine()) { $0.summaryPayoff = 100 }
        let requests = growingPrefixes(syntheticSession(rounds: 30))
        let start = ContinuousClock.now
        _ = pipeline.compress(requests.last!, mode: .safe, timeBudgetMilliseconds: 10_000, at: start)
        let deep = try #require(pipeline.forwardedBoundary(of: requests.last!, mode: .safe))
        var previous: [ChatMessage] = []
        for (index, request) in requests.enumerated() {
            let forwarded = pipeline.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(1 + index))
                .chatRequest
            #expect(forwarded.messages.starts(with: previous), "request \(index) of \(requests.count)")
            previous = forwarded.messages
        }
        #expect(try #require(pipeline.forwardedBoundary(of: requests.last!, mode: .safe)) < deep)
    }

    @Test func aRerunAfterTheCacheExpiredContinuesFromItsOwnRequests() throws {
        // The first run's entries are stale by the time of the rerun: a rerun request must
        // not take a stale longer prefix for its history and be cut anew each time.
        let pipeline = makePipeline(summarizer: FirstAndLastLine()) { $0.summaryPayoff = 100 }
        let requests = growingPrefixes(syntheticSession(rounds: 30))
        let start = ContinuousClock.now
        for (index, request) in requests.enumerated() {
            _ = pipeline.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(index))
        }
        let rerun = start + .seconds(requests.count + pipeline.settings.cacheTTLSeconds + 1)
        var previous: [ChatMessage] = []
        for (index, request) in requests.enumerated() {
            let forwarded = pipeline.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: rerun + .seconds(index)).chatRequest
            #expect(forwarded.messages.starts(with: previous), "request \(index) of \(requests.count)")
            previous = forwarded.messages
        }
    }
}
