import Testing

@testable import CondenserBench
@testable import CondenserCore

@Suite struct FrontCorpusBenchTests {
    @Test func aSessionThroughTheMessagesFrontSavesKeepsFactsAndStaysValid() {
        let session = CorpusSession(id: "s", kind: "agent", request: syntheticSession(rounds: 14), needles: ["Fix the bug in module 1"])
        let results = FrontCorpusBench(front: .anthropic, mode: .safe) { makePipeline(summarizer: FirstAndLastLine()) }.run([session])
        let result = results[0]
        #expect(result.tokensOut < result.tokensIn)
        #expect(result.factsKept == 1)
        #expect(result.invalidRequests == 0)
        #expect(result.replayRequests == session.anthropicReplayRequests.count)
        #expect(result.replayCost < 1)
    }

    @Test func theCostReadsTheRepeatedPrefixAndWritesTheRest() throws {
        let counter = try RequestTokenCounters().counter(for: .o200kBase)
        let profile = AnthropicMessagesFront.profile
        let a: JSONValue = .object(["role": .string("user"), "content": .string("alpha beta")])
        let b: JSONValue = .object(["role": .string("assistant"), "content": .string("gamma")])
        let tokensA = Double(counter.message(a, of: profile))
        let tokensB = Double(counter.message(b, of: profile))
        let cost = FrontCorpusBench.cost([a, b], after: [a], profile: profile, counter: counter)
        #expect(abs(cost - (tokensA * 0.1 + tokensB * 1.25)) < 1e-9)
        // The moving breakpoint is no change.
        let marked = JSONValue.object([
            "role": .string("user"),
            "content": .array([
                .object(["type": .string("text"), "text": .string("x"), "cache_control": .object(["type": .string("ephemeral")])])
            ]),
        ])
        let plain = JSONValue.object([
            "role": .string("user"), "content": .array([.object(["type": .string("text"), "text": .string("x")])]),
        ])
        #expect(FrontCorpusBench.withoutCacheControl(marked) == plain)
    }

    @Test func aSessionThroughTheResponsesFrontSavesKeepsFactsAndStaysValid() {
        let session = CorpusSession(id: "s", kind: "agent", request: syntheticSession(rounds: 14), needles: ["Fix the bug in module 1"])
        let result = FrontCorpusBench(front: .responses, mode: .safe) { makePipeline(summarizer: FirstAndLastLine()) }.run([session])[0]
        #expect(result.tokensOut < result.tokensIn)
        #expect(result.liveTokensOut < result.liveTokensIn)
        #expect(result.factsKept == 1)
        #expect(result.invalidRequests == 0)
        #expect(result.replayRequests == session.responsesReplayBodies.count)
        #expect(result.replayCost < 1)
        #expect(FrontCorpusBench(front: .responses, mode: .safe) { makePipeline() }.render([result]).contains("front openai-responses"))
    }

    @Test func itemsAreTheInstructionsThenTheInput() {
        let item: JSONValue = .object(["type": .string("message"), "role": .string("user"), "content": .string("hi")])
        let body: JSONValue = .object(["model": .string("gpt-5"), "input": .array([item]), "instructions": .string("Be terse.")])
        #expect(FrontCorpusBench.items(body) == [.string("Be terse."), item])
        #expect(FrontCorpusBench.items(.object(["model": .string("gpt-5"), "input": .string("hi")])) == [.string("hi")])
    }
}
