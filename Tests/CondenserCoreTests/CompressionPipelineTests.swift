import Foundation
import Testing

@testable import CondenserCore

@Suite struct CompressionPipelineTests {
    @Test func keepsEveryPolicyInvariant() {
        let request = syntheticSession(rounds: 20)
        let outcome = makePipeline(summarizer: FirstAndLastLine()).compress(request, mode: .safe)
        #expect(outcome.changed)
        #expect(outcome.failOpenReason == nil)
        #expect(RequestInvariants.violations(original: request, compressed: outcome.chatRequest, systemVerbatim: true).isEmpty)
        #expect(RequestInvariants.pairingProblems(outcome.chatRequest).isEmpty)
        for (before, after) in zip(request.messages, outcome.chatRequest.messages) {
            #expect(before.role == after.role)
            #expect(before.object["tool_calls"] == after.object["tool_calls"])
            if before.role == "user" || before.role == "system" { #expect(before == after) }
            #expect(after.content.text?.isEmpty != true)
        }
        #expect(outcome.tokensOut < outcome.tokensIn)
    }

    @Test func tokensOutIsTheRecountedRequest() {
        let request = syntheticSession(rounds: 12)
        let outcome = makePipeline(summarizer: FirstAndLastLine()).compress(request, mode: .safe)
        #expect(outcome.tokensIn == testCounter().request(request))
        #expect(outcome.tokensOut == testCounter().request(outcome.chatRequest))
        #expect(outcome.tokensIn - outcome.tokensOut == outcome.stages.reduce(0) { $0 + $1.tokensSaved })
        #expect(outcome.stages.map(\.stage).contains("dedupe"))
        #expect(outcome.stages.allSatisfy { $0.tokensSaved > 0 })
    }

    @Test func smallRequestsAndModeOffPassUntouched() {
        let request = syntheticSession(rounds: 12)
        let small = makePipeline { $0.minimumTokens = 1_000_000 }.compress(request, mode: .safe)
        #expect(!small.changed)
        #expect(small.chatRequest == request)
        #expect(small.tokensIn == small.tokensOut)
        let off = makePipeline().compress(request, mode: .off)
        #expect(!off.changed)
        #expect(off.chatRequest == request)
    }

    @Test func failsOpenOnATimeBudgetOverrun() {
        let request = syntheticSession(rounds: 12)
        let outcome = makePipeline(stages: [SlowStage()]) { $0.timeBudgetMilliseconds = 1 }.compress(request, mode: .safe)
        #expect(!outcome.changed)
        #expect(outcome.chatRequest == request)
        #expect(outcome.failOpenReason == "time budget of 1 ms exceeded")
    }

    @Test func failsOpenWithoutATokenCounter() {
        struct NoEncoding: Error {}
        let pipeline = CompressionPipeline(settings: PipelineSettings(), stages: [], summarizer: nil) { _ in throw NoEncoding() }
        let request = syntheticSession(rounds: 4)
        let outcome = pipeline.compress(request, mode: .safe)
        #expect(!outcome.changed)
        #expect(outcome.failOpenReason?.hasPrefix("no token counter for model gpt-4o") == true)
    }

    @Test func isDeterministicAcrossPipelines() {
        let request = syntheticSession(rounds: 20)
        let a = makePipeline(summarizer: FirstAndLastLine()).compress(request, mode: .aggressive)
        let b = makePipeline(summarizer: FirstAndLastLine()).compress(request, mode: .aggressive)
        #expect(a.chatRequest.serializedBytes() == b.chatRequest.serializedBytes())
        #expect(a.stages == b.stages)
    }

    @Test func earlierMessagesStayByteIdenticalAsTheConversationGrows() {
        let pipeline = makePipeline()
        var previous: ChatRequest?
        for request in growingPrefixes(syntheticSession(rounds: 30)) {
            let compressed = pipeline.compress(request, mode: .safe).chatRequest
            if let previous {
                #expect(compressed.messages.starts(with: previous.messages))
            }
            previous = compressed
        }
    }

    @Test func aNewTurnExtendsThePreviousRequestsIndexesWithTheSameResult() {
        // One pipeline resumes each request from the indexes the one before left; the
        // other has its snapshots pushed out before every request, so it registers every
        // message again. Both must give the same bytes and savings for every request.
        for summarizer in [nil, FirstAndLastLine()] as [(any TextStage)?] {
            let resuming = makePipeline(summarizer: summarizer)
            let rebuilding = makePipeline(summarizer: summarizer)
            for request in growingPrefixes(syntheticSession(rounds: 30)) {
                for filler in 0..<CompressionPipeline.indexSnapshotEntries {
                    rebuilding.indexSnapshots.store(IndexSnapshotsTests.snapshot(filler), for: StableHash("filler \(filler)"))
                }
                let resumed = resuming.compress(request, mode: .safe)
                let rebuilt = rebuilding.compress(request, mode: .safe)
                #expect(resumed.chatRequest.serializedBytes() == rebuilt.chatRequest.serializedBytes())
                #expect(resumed.stages == rebuilt.stages)
            }
            // Without re-cuts every request took the snapshot of the one before.
            if summarizer == nil { #expect(resuming.indexSnapshots.count == 1) }
        }
    }

    @Test func summariesChangeThePrefixOnlyAtPlannedRecuts() throws {
        let pipeline = makePipeline(summarizer: FirstAndLastLine())
        var previous: (request: ChatRequest, boundary: Int)?
        var recuts = 0
        for request in growingPrefixes(syntheticSession(rounds: 40)) {
            let compressed = pipeline.compress(request, mode: .safe).chatRequest
            let boundary = try #require(pipeline.forwardedBoundary(of: request, mode: .safe))
            if let previous {
                #expect(boundary >= previous.boundary)
                if boundary == previous.boundary {
                    #expect(compressed.messages.starts(with: previous.request.messages))
                } else {
                    recuts += 1
                    #expect(compressed.messages[..<previous.boundary] == previous.request.messages[..<previous.boundary])
                }
            }
            previous = (compressed, boundary)
        }
        #expect(recuts >= 2)
        #expect(pipeline.memo.count > 0)
    }

    @Test func aConversationMetFirstIsCutAsDeepAsTheWindowAllowsThenKeptStable() throws {
        let pipeline = makePipeline(summarizer: FirstAndLastLine()) { $0.summaryPayoff = 100 }
        let requests = growingPrefixes(syntheticSession(rounds: 30))
        let start = requests.count / 2
        let first = requests[start]
        let deepest = SummaryBoundary.deepest(roles: Conversation(openAIChat: first).messages.map(\.role), recentTurns: 4)
        try #require(deepest > 0)
        var previous = pipeline.compress(first, mode: .safe).chatRequest
        #expect(pipeline.forwardedBoundary(of: first, mode: .safe) == deepest)
        // Back to back, the provider has each prefix cached: no re-cut (payoff 100 rules
        // out planned ones), every request starts with the previous one's bytes.
        for request in requests[(start + 1)...] {
            let compressed = pipeline.compress(request, mode: .safe).chatRequest
            #expect(compressed.messages.starts(with: previous.messages))
            #expect(pipeline.forwardedBoundary(of: request, mode: .safe) == deepest)
            previous = compressed
        }
    }

    @Test func aConversationForwardedUncompressedWhileSmallIsNotCutDeepWhenItGrows() throws {
        let requests = growingPrefixes(syntheticSession(rounds: 30))
        let counter = testCounter()
        let tokens = requests.map { request in request.messages.reduce(0) { $0 + counter.message($1) } }
        // A threshold that the conversation crosses halfway.
        let threshold = tokens[requests.count / 2]
        let pipeline = makePipeline(summarizer: FirstAndLastLine()) {
            $0.summaryPayoff = 100
            $0.minimumTokens = threshold
        }
        let crossing = try #require(requests.indices.first { pipeline.compress(requests[$0], mode: .safe).changed })
        try #require(crossing > 0)
        let deepest = SummaryBoundary.deepest(roles: Conversation(openAIChat: requests[crossing]).messages.map(\.role), recentTurns: 4)
        try #require(deepest > 0)
        // The provider has the smaller requests cached as they were: no summaries yet.
        #expect(pipeline.forwardedBoundary(of: requests[crossing], mode: .safe) == 0)
        // A conversation met first at that size is cut as deep as the window allows.
        let fresh = makePipeline(summarizer: FirstAndLastLine()) {
            $0.summaryPayoff = 100
            $0.minimumTokens = threshold
        }
        _ = fresh.compress(requests[crossing], mode: .safe)
        #expect(fresh.forwardedBoundary(of: requests[crossing], mode: .safe) == deepest)
    }

    @Test func oldUserMessagesAreSummarisedOnlyWithALaterUserMessageBeforeTheBoundary() throws {
        func chat(turns: Int) -> ChatRequest {
            var messages: [JSONValue] = [.object(["role": .string("system"), "content": .string("Be brief.")])]
            for turn in 0..<turns {
                let pasted = (1...8).map { "line \($0) of the log pasted in turn \(turn)" }.joined(separator: "\n")
                messages.append(.object(["role": .string("user"), "content": .string("Question \(turn):\n" + pasted)]))
                if turn < turns - 1 { messages.append(.object(["role": .string("assistant"), "content": .string("Answer \(turn).")])) }
            }
            return try! ChatRequest.validate(.object(["model": .string("gpt-4o"), "messages": .array(messages)]))
        }
        let pipeline = makePipeline(summarizer: FirstAndLastLine()) { $0.summaryPayoff = 100 }
        let first = chat(turns: 5)
        let compressed = pipeline.compress(first, mode: .safe).chatRequest
        // Turns u0 a0 u1 a1 u2 a2 u3 a3 u4; four recent turns leave the boundary at a2 (6).
        #expect(pipeline.forwardedBoundary(of: first, mode: .safe) == 6)
        let changed = compressed.messages.indices.filter { compressed.messages[$0] != first.messages[$0] }
        // u0 and u1 have a later user message before the boundary; u2 has none, u3 and
        // u4 are recent, and u4 is the last.
        #expect(changed == [1, 3])
        #expect(compressed.messages[1].content.text?.contains("[... 7 lines omitted]") == true)
        // As the chat grows back to back, nothing before the boundary changes again.
        var previous = compressed
        for turns in 6...9 {
            let next = pipeline.compress(chat(turns: turns), mode: .safe).chatRequest
            #expect(next.messages.starts(with: previous.messages))
            previous = next
        }
    }

    @Test func aConversationIdleLongerThanTheCacheTTLIsCutAgain() throws {
        let pipeline = makePipeline(summarizer: FirstAndLastLine()) { $0.summaryPayoff = 100 }
        let requests = growingPrefixes(syntheticSession(rounds: 30))
        let now = ContinuousClock.now
        for request in requests.prefix(requests.count - 1) {
            _ = pipeline.compress(request, mode: .safe, timeBudgetMilliseconds: 10_000, at: now)
        }
        let before = try #require(pipeline.forwardedBoundary(of: requests[requests.count - 2], mode: .safe))
        let last = requests.last!
        let deepest = SummaryBoundary.deepest(roles: Conversation(openAIChat: last).messages.map(\.role), recentTurns: 4)
        try #require(deepest > before)
        // Within the TTL the boundary stays; after it, the cut goes as deep as allowed.
        let ttl = Duration.seconds(pipeline.settings.cacheTTLSeconds)
        _ = pipeline.compress(last, mode: .safe, timeBudgetMilliseconds: 10_000, at: now + ttl)
        #expect(pipeline.forwardedBoundary(of: last, mode: .safe) == before)
        _ = pipeline.compress(last, mode: .safe, timeBudgetMilliseconds: 10_000, at: now + ttl + ttl + .seconds(1))
        #expect(pipeline.forwardedBoundary(of: last, mode: .safe) == deepest)
    }

    @Test func theNewestToolResultGetsItsFinalTreatment() throws {
        let pipeline = makePipeline()
        let requests = growingPrefixes(syntheticSession(rounds: 10))
        let short = try #require(requests.first { $0.messages.last?.role == "tool" && $0.messages.count > 8 })
        let newest = pipeline.compress(short, mode: .safe).chatRequest.messages.last
        let later = pipeline.compress(requests.last!, mode: .safe).chatRequest.messages[short.messages.count - 1]
        #expect(newest == later)
        #expect(newest != short.messages.last)
    }

    @Test func referencesPointBackwardsOnly() {
        let outcome = makePipeline().compress(syntheticSession(rounds: 20), mode: .safe)
        for (index, message) in outcome.chatRequest.messages.enumerated() {
            guard let text = message.content.text, let range = text.firstRange(of: " in message ") else { continue }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            let target = Int(digits)! - 1
            #expect(target < index)
            #expect(outcome.chatRequest.messages[target].content.text?.hasPrefix("[same as") == false)
        }
    }

    @Test func referencesAfterTheBoundaryNeverPointIntoTheSummarisedRegion() throws {
        let pipeline = makePipeline(summarizer: FirstAndLastLine())
        var checked = 0
        for request in growingPrefixes(syntheticSession(rounds: 40)) {
            let compressed = pipeline.compress(request, mode: .safe).chatRequest
            let boundary = try #require(pipeline.forwardedBoundary(of: request, mode: .safe))
            for (index, message) in compressed.messages.enumerated() where index >= boundary && boundary > 0 {
                guard let text = message.content.text, let range = text.firstRange(of: " in message ") else { continue }
                let target = Int(String(text[range.upperBound...].prefix { $0.isNumber }))! - 1
                // The target is after the boundary, so it is in the request in full.
                #expect(target >= boundary)
                #expect(compressed.messages[target].content.text?.hasPrefix("[same as") == false)
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test func coldRequestsArePreparedOnAllCoresWithTheSameResult() throws {
        let request = syntheticSession(rounds: 60)
        let cold = makePipeline(summarizer: FirstAndLastLine())
        let conversation = Conversation(openAIChat: request)
        let blockBytes = conversation.messages.flatMap(\.textBlocks).reduce(0) { $0 + $1.text.utf8.count }
        try #require(blockBytes >= CompressionPipeline.parallelMinimumBytes)
        let clock = ContinuousClock()
        let boundary = SummaryBoundary.deepest(roles: conversation.messages.map(\.role), recentTurns: cold.settings.recentTurns)
        try #require(boundary > 0)
        let hits = [MessageResult?](repeating: nil, count: request.messages.count)
        let messageTokens = request.messages.map { testCounter().message($0) }
        let prepared = try cold.prepare(
            OpenAIChatFront.request(request), hits: hits, messageTokens: messageTokens, boundary: boundary, verbatim: 0, mode: .safe,
            counting: testCounter(), deadline: clock.now.advanced(by: .seconds(10)), clock: clock)
        #expect(prepared.contains { $0 != nil })
        // Messages the memo holds, and requests with little new text, are not prepared ahead.
        let few = ChatRequest(body: request.body, messages: Array(request.messages.prefix(6)))
        let none = try cold.prepare(
            OpenAIChatFront.request(few), hits: [MessageResult?](repeating: nil, count: few.messages.count), messageTokens: messageTokens,
            boundary: 0, verbatim: 0, mode: .safe, counting: testCounter(),
            deadline: clock.now.advanced(by: .seconds(10)), clock: clock)
        #expect(none.allSatisfy { $0 == nil })
        // The cold path (prepared on all cores) and the warm one (message by message, as
        // the conversation grew) give the same bytes. Every request of the warm one comes
        // after the cache has expired, so both cut as deep as the window allows.
        let warm = makePipeline(summarizer: FirstAndLastLine())
        var last: CompressionOutcome?
        var now = ContinuousClock.now
        for prefix in growingPrefixes(request) {
            now = now.advanced(by: .seconds(warm.settings.cacheTTLSeconds + 1))
            last = warm.compress(prefix, mode: .safe, timeBudgetMilliseconds: 10_000, at: now)
        }
        let coldOutcome = cold.compress(request, mode: .safe)
        #expect(cold.forwardedBoundary(of: request, mode: .safe) == boundary)
        #expect(coldOutcome.chatRequest.serializedBytes() == last?.chatRequest.serializedBytes())
        #expect(coldOutcome.stages == last?.stages)
    }

    @Test func largeRequestsHaveTheirMessagesCountedAheadOnAllCores() {
        final class Calls: @unchecked Sendable {
            let lock = NSLock()
            var count = 0
        }
        let calls = Calls()
        let base = testCounter()
        let counting = RequestTokenCounter(name: "test", text: base.text, overhead: base.overhead) { message in
            calls.lock.withLock { calls.count += 1 }
            return base.message(message)
        }
        let pipeline = makePipeline()
        let large = syntheticSession(rounds: 60)
        #expect(pipeline.countMessagesOnAllCores(OpenAIChatFront.request(large), counting) == large.messages.map { base.message($0) })
        #expect(calls.count == large.messages.count)
        // Small requests are counted by the caller, message by message.
        #expect(pipeline.countMessagesOnAllCores(OpenAIChatFront.request(syntheticSession(rounds: 2)), counting) == nil)
        #expect(calls.count == large.messages.count)
    }

    @Test func standardPipelineCountsMatchARecount() throws {
        var settings = PipelineSettings()
        settings.timeBudgetMilliseconds = 10_000
        settings.minimumTokens = 100
        let request = syntheticSession(rounds: 16)
        let outcome = CompressionPipeline.standard(settings: settings).compress(request, mode: .aggressive)
        let chat = ChatTokenCounter(tokenizer: try Tokenizer.shared(.o200kBase))
        #expect(outcome.changed)
        #expect(outcome.tokensIn == chat.count(request))
        #expect(outcome.tokensOut == chat.count(outcome.chatRequest))
    }

    @Test func aGrowingConversationCountsAsARecountOfEachRequest() throws {
        // Messages the previous request had take their counts from it, not from a count.
        var settings = PipelineSettings()
        settings.timeBudgetMilliseconds = 10_000
        settings.minimumTokens = 100
        let pipeline = CompressionPipeline.standard(settings: settings)
        let chat = ChatTokenCounter(tokenizer: try Tokenizer.shared(.o200kBase))
        for request in growingPrefixes(syntheticSession(rounds: 16)) {
            let outcome = pipeline.compress(request, mode: .safe)
            #expect(outcome.tokensIn == chat.count(request))
            #expect(outcome.tokensOut == chat.count(outcome.chatRequest))
        }
        #expect(pipeline.recentRequests.count == 1)
    }

    @Test func onlyTextPartsAreCompressedAndOtherPartsPassUntouched() throws {
        var request = syntheticSession(rounds: 6)
        let toolIndex = try #require(request.messages.lastIndex { $0.role == "tool" })
        let colored = String(repeating: "\u{1B}[31mFAILED\u{1B}[0m   test_case    error\n", count: 30)
        let image: JSONValue = .object(["type": .string("image_url"), "image_url": .object(["url": .string("data:image/png;base64,AAAA")])])
        let odd: JSONValue = .object(["type": .string("input_audio"), "input_audio": .object(["data": .string("  spaced   data  ")])])
        request.messages[toolIndex].content = .parts([
            .object(["type": .string("text"), "text": .string(colored)]), image, odd,
        ])
        request.messages.append(ChatMessage(object: ["role": .string("critic"), "content": .string(colored)]))
        request.messages.append(ChatMessage(role: "user", content: "And now?   "))
        let outcome = makePipeline().compress(request, mode: .safe)
        #expect(outcome.changed)
        guard case .parts(let parts) = outcome.chatRequest.messages[toolIndex].content else {
            Issue.record("content parts became something else")
            return
        }
        #expect(parts.count == 3)
        #expect(parts[1] == image)
        #expect(parts[2] == odd)
        #expect(parts[0].objectValue?["text"]?.stringValue?.contains("\u{1B}") == false)
        // A role the pipeline doesn't know, and the last user message, stay as they came.
        #expect(outcome.chatRequest.messages[request.messages.count - 2] == request.messages[request.messages.count - 2])
        #expect(outcome.chatRequest.messages.last == request.messages.last)
    }
}
