import Foundation
import Testing

@testable import CondenserCore

/// Messages before a request's `pinnedPrefix` (signed thinking, for Anthropic) go upstream
/// exactly as the conversation's earlier requests sent them: never re-cut, whatever the
/// cache or a restart, and as the client sent them when the conversation is met first.
@Suite struct PinnedPrefixTests {
    /// An OpenAI chat request made to look like a front with signed thinking: the same
    /// conversation, pinned before `pinnedPrefix`.
    static func pinned(_ chat: ChatRequest, _ pinnedPrefix: Int) -> FrontRequest {
        var request = OpenAIChatFront.request(chat)
        request.profile = FrontProfile(name: "pinned-test", tokenCount: .exact, cachePricing: .anthropic)
        request.pinnedPrefix = pinnedPrefix
        return request
    }

    static func forwardedMessages(_ outcome: CompressionOutcome) -> [JSONValue] {
        outcome.body.objectValue?["messages"]?.arrayValue ?? []
    }

    func pipeline(stateDirectory: String? = nil) -> CompressionPipeline {
        makePipeline(summarizer: FirstAndLastLine()) { settings in
            settings.stateDirectory = stateDirectory
            settings.cacheTTLSeconds = 300
        }
    }

    @Test func aConversationMetFirstWithSignedThinkingGoesAsSentUpToIt() throws {
        let chat = syntheticSession(rounds: 30)
        let pinnedPrefix = chat.messages.count - 6
        let outcome = pipeline().compress(Self.pinned(chat, pinnedPrefix), mode: .safe)
        #expect(outcome.changed)
        #expect(outcome.failOpenReason == nil)
        let forwarded = Self.forwardedMessages(outcome)
        #expect(Array(forwarded.prefix(pinnedPrefix)) == chat.messages.prefix(pinnedPrefix).map { .object($0.object) })
        // Without a pin, the same first sight is cut and cleaned from the start.
        let unpinned = Self.forwardedMessages(pipeline().compress(chat, mode: .safe))
        #expect(Array(unpinned.prefix(pinnedPrefix)) != Array(forwarded.prefix(pinnedPrefix)))
    }

    @Test func laterRequestsKeepWhatWentBeforeThePinEvenAfterTheCacheExpiredAndARestart() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let requests = Array(growingPrefixes(syntheticSession(rounds: 36)).dropFirst(12))
        let start = ContinuousClock.now - .seconds(requests.count * 1000 + 1)
        var previous: [JSONValue] = []
        var previousPin = 0
        for (index, chat) in requests.enumerated() {
            // A new process for every request, each long after the provider's cache expired.
            let pipeline = self.pipeline(stateDirectory: directory.path)
            let pin = max(1, chat.messages.count - 2)
            let outcome = pipeline.compress(
                Self.pinned(chat, pin), mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(index * 1000))
            pipeline.flushState()
            #expect(outcome.failOpenReason == nil)
            let forwarded = Self.forwardedMessages(outcome)
            if !previous.isEmpty {
                #expect(Array(forwarded.prefix(previousPin)) == Array(previous.prefix(previousPin)), "request \(index)")
            } else {
                #expect(Array(forwarded.prefix(pin)) == chat.messages.prefix(pin).map { .object($0.object) })
            }
            previous = forwarded
            previousPin = pin
        }
    }

    @Test func theBoundaryNeverMovesBeforeThePin() throws {
        let pipeline = self.pipeline()
        let requests = growingPrefixes(syntheticSession(rounds: 40))
        let start = ContinuousClock.now
        // Unpinned at first: the boundary moves at every candidate (payoff 0).
        let split = requests.count / 2
        for (index, chat) in requests.prefix(split).enumerated() {
            _ = pipeline.compress(chat, mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(index))
        }
        let before = try #require(pipeline.forwardedBoundary(of: requests[split - 1], mode: .safe))
        var previous = Self.forwardedMessages(
            pipeline.compress(requests[split - 1], mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(split)))
        var moved = false
        for (offset, chat) in requests.dropFirst(split).enumerated() {
            let pin = chat.messages.count - 1
            let request = Self.pinned(chat, pin)
            let outcome = pipeline.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(split + 1 + offset))
            let forwarded = Self.forwardedMessages(outcome)
            #expect(Array(forwarded.prefix(min(pin, previous.count))) == Array(previous.prefix(min(pin, previous.count))))
            moved = moved || pipeline.forwardedBoundary(of: request, mode: .safe) != before
            previous = forwarded
        }
        #expect(!moved)
        // Unpinned, the same conversation does re-cut: the pin is what holds it.
        let free = self.pipeline()
        for (index, chat) in requests.enumerated() {
            _ = free.compress(chat, mode: .safe, timeBudgetMilliseconds: 10_000, at: start + .seconds(index))
        }
        #expect(try #require(free.forwardedBoundary(of: requests.last!, mode: .safe)) > before)
    }

    @Test func theLedgerKeepsAVerbatimPrefixOnDisk() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = ConversationStateStore(directory: directory.path, maximumBytes: 1 << 20, maximumAge: .seconds(3600), warn: { _ in })
        let ledger = CutLedger(maximumEntries: 16, store: store)
        ledger.record(StableHash("pinned"), boundary: 3, verbatimPrefix: 7, at: .now)
        ledger.record(StableHash("plain"), boundary: 2, at: .now)
        ledger.flush()
        let loaded = CutLedger(maximumEntries: 16, store: store)
        #expect(loaded.entry(for: StableHash("pinned"))?.verbatimPrefix == 7)
        #expect(loaded.entry(for: StableHash("pinned"))?.boundary == 3)
        #expect(loaded.entry(for: StableHash("plain"))?.verbatimPrefix == 0)
    }
}

@Suite struct PipelinePreviewTests {
    @Test func aPreviewForwardsWhatCompressingWouldAndLeavesNoState() throws {
        let chat = syntheticSession(rounds: 20)
        let previewing = makePipeline(summarizer: FirstAndLastLine())
        let preview = previewing.preview(OpenAIChatFront.request(chat), mode: .safe)
        #expect(preview.changed)
        #expect(previewing.ledger.count == 0)
        #expect(previewing.recentRequests.count == 0)
        let compressed = makePipeline(summarizer: FirstAndLastLine()).compress(chat, mode: .safe)
        #expect(preview.body == compressed.body)
        #expect(preview.tokensOut == compressed.tokensOut)
        // The conversation is still met for the first time by the next real request.
        let real = previewing.compress(chat, mode: .safe)
        #expect(real.body == compressed.body)
        #expect(previewing.ledger.count == 1)
    }
}

/// The pin as the Anthropic adapter sets it: past the last signed thinking block.
@Suite struct AnthropicPinnedPrefixTests {
    static func output(_ step: Int) -> String {
        (1...30).map { "\u{1B}[32mline \($0) of step \(step)\u{1B}[0m      padded      out" }.joined(separator: "\n")
    }

    static func body(steps: Int) -> JSONValue {
        var messages: [JSONValue] = [.object(["role": .string("user"), "content": .string("Run the build and fix what fails.")])]
        for step in 0..<steps {
            messages.append(
                .object([
                    "role": .string("assistant"),
                    "content": .array([
                        .object(["type": .string("thinking"), "thinking": .string("Step \(step)."), "signature": .string("sig-\(step)")]),
                        .object([
                            "type": .string("tool_use"), "id": .string("toolu_\(step)"), "name": .string("Bash"),
                            "input": .object(["command": .string("make \(step)")]),
                        ]),
                    ]),
                ]))
            messages.append(
                .object([
                    "role": .string("user"),
                    "content": .array([
                        .object(["type": .string("tool_result"), "tool_use_id": .string("toolu_\(step)"), "content": .string(output(step))])
                    ]),
                ]))
        }
        return .object([
            "model": .string("claude-x"), "max_tokens": .number("1024"), "system": .string("Be careful."), "messages": .array(messages),
        ])
    }

    @Test func aConversationMetFirstGoesAsSentUpToItsLastThinkingBlock() throws {
        let request = try AnthropicMessagesFront.request(body: Self.body(steps: 6))
        try #require(request.pinnedPrefix > 0)
        let outcome = makePipeline().compress(request, mode: .safe)
        #expect(outcome.changed)
        #expect(outcome.failOpenReason == nil)
        let sent = try #require(request.body.objectValue?["messages"]?.arrayValue)
        let forwarded = try #require(outcome.body.objectValue?["messages"]?.arrayValue)
        // Conversation index i is messages[i - 1] (the system comes first).
        let pinnedMessages = request.pinnedPrefix - 1
        #expect(Array(forwarded.prefix(pinnedMessages)) == Array(sent.prefix(pinnedMessages)))
        // The tool result after the last thinking block is compressed.
        #expect(forwarded.last != sent.last)
        #expect(request.maskedViolations(forwarded: outcome.body).isEmpty)
    }
}
