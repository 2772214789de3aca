import Testing
@testable import CondenserCore

@Suite struct ResponsesCorpusBenchTests {
    @Test func aSessionThroughTheResponsesFrontSavesKeepsFactsAndStaysValid() {
        let session = CorpusSession(id: "s", kind: "agent", request: syntheticSession(rounds: 14), needles: ["Fix the bug in module 1"])
        let result = ResponsesCorpusBench(mode: .safe) { makePipeline(summarizer: FirstAndLastLine()) }.run([session])[0]
        #expect(result.tokensOut < result.tokensIn)
        #expect(result.liveTokensOut < result.liveTokensIn)
        #expect(result.factsKept == 1)
        #expect(result.invalidRequests == 0)
        #expect(result.replayRequests == session.responsesReplayBodies.count)
        #expect(result.replayCost < 1)
        #expect(ResponsesCorpusBench.render([result]).contains("front openai-responses"))
    }

    @Test func itemsAreTheInstructionsThenTheInput() {
        let item: JSONValue = .object(["type": .string("message"), "role": .string("user"), "content": .string("hi")])
        let body: JSONValue = .object(["model": .string("gpt-5"), "input": .array([item]), "instructions": .string("Be terse.")])
        #expect(ResponsesCorpusBench.items(body) == [.string("Be terse."), item])
        #expect(ResponsesCorpusBench.items(.object(["model": .string("gpt-5"), "input": .string("hi")])) == [.string("hi")])
    }
}
