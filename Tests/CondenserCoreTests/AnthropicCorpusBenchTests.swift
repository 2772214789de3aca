import Testing
@testable import CondenserCore

@Suite struct AnthropicCorpusBenchTests {
    @Test func aSessionThroughTheMessagesFrontSavesKeepsFactsAndStaysValid() {
        let session = CorpusSession(id: "s", kind: "agent", request: syntheticSession(rounds: 14), needles: ["Fix the bug in module 1"])
        let results = AnthropicCorpusBench(mode: .safe) { makePipeline(summarizer: FirstAndLastLine()) }.run([session])
        let result = results[0]
        #expect(result.tokensOut < result.tokensIn)
        #expect(result.factsKept == 1)
        #expect(result.invalidRequests == 0)
        #expect(result.replayRequests == session.anthropicReplayRequests.count)
        #expect(result.replayCost < 1)
    }

    @Test func theCostReadsTheRepeatedPrefixAndWritesTheRest() throws {
        let counter = try EncodingCounters().counter(for: .o200kBase)
        let profile = AnthropicMessagesFront.profile
        let a: JSONValue = .object(["role": .string("user"), "content": .string("alpha beta")])
        let b: JSONValue = .object(["role": .string("assistant"), "content": .string("gamma")])
        let tokensA = Double(counter.message(a, of: profile))
        let tokensB = Double(counter.message(b, of: profile))
        let cost = AnthropicCorpusBench.cost([a, b], after: [a], profile: profile, counter: counter)
        #expect(abs(cost - (tokensA * 0.1 + tokensB * 1.25)) < 1e-9)
        // The moving breakpoint is no change.
        let marked = JSONValue.object(["role": .string("user"), "content": .array([.object(["type": .string("text"), "text": .string("x"), "cache_control": .object(["type": .string("ephemeral")])])])])
        let plain = JSONValue.object(["role": .string("user"), "content": .array([.object(["type": .string("text"), "text": .string("x")])])])
        #expect(AnthropicCorpusBench.withoutCacheControl(marked) == plain)
    }
}
