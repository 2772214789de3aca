@testable import CondenserCore
@testable import CondenserServer
import Testing

@Suite struct ReloadableCompressorTests {
    /// A conversation with enough repeated tool output for every stage to have work.
    static func request() -> ChatRequest {
        let log = (0..<400).map { "2026-11-21T10:\($0 % 60):00Z worker[\($0)] processed batch \($0) in \($0 % 7) ms" }.joined(separator: "\n")
        var messages: [JSONValue] = [
            .object(["role": .string("system"), "content": .string("You are a coding agent.")]),
            .object(["role": .string("user"), "content": .string("Look at the worker log.")]),
        ]
        for call in 0..<6 {
            messages.append(.object([
                "role": .string("assistant"), "content": .null,
                "tool_calls": .array([.object([
                    "id": .string("call_\(call)"), "type": .string("function"),
                    "function": .object(["name": .string("run_command"), "arguments": .string(#"{"command":"tail -n 400 worker.log"}"#)]),
                ])]),
            ]))
            messages.append(.object(["role": .string("tool"), "tool_call_id": .string("call_\(call)"), "content": .string(log)]))
        }
        messages.append(.object(["role": .string("user"), "content": .string("What failed?")]))
        return try! ChatRequest.validate(.object(["model": .string("gpt-4o"), "messages": .array(messages)]))
    }

    @Test func anOverrunIsFinishedInTheBackgroundSoTheNextRequestIsWarm() async throws {
        var settings = PipelineSettings()
        // A budget no request of this size can meet, cold or warm: what matters is that
        // the background warm-up fills the memo with every message.
        settings.timeBudgetMilliseconds = 1
        let compressor = ReloadableCompressor(settings: settings)
        let request = Self.request()
        let first = compressor.compress(request, mode: .safe)
        #expect(CompressionPipeline.ranOutOfTime(first))
        #expect(!first.changed)
        #expect(first.request == request)
        await compressor.waitForWarmUp()
        let memo = compressor.currentPipeline.memo
        #expect(memo.count >= request.messages.count - 1)
    }

    @Test func aRequestWithinBudgetStartsNoWarmUp() async {
        let compressor = ReloadableCompressor(settings: PipelineSettings())
        let outcome = compressor.compress(ChatRequest(body: ["model": .string("gpt-4o")], messages: [ChatMessage(role: "user", content: "hi")]), mode: .safe)
        #expect(outcome.failOpenReason == nil)
        #expect(compressor.currentPipeline.memo.count == 0)
    }

    @Test func reloadWithTheSameSettingsKeepsTheMemo() {
        let compressor = ReloadableCompressor(settings: PipelineSettings())
        let before = compressor.settings
        compressor.update(settings: before)
        #expect(compressor.settings == before)
        var changed = before
        changed.recentTurns = 7
        compressor.update(settings: changed)
        #expect(compressor.settings.recentTurns == 7)
    }
}
