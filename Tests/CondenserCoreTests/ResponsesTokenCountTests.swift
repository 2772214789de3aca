import Testing

@testable import CondenserCore

/// Exact counts of Responses bodies: `instructions` counted once as a message, the texts
/// of `input_text`/`output_text` parts and of tool outputs counted, reasoning ciphertext not.
struct ResponsesTokenCountTests {
    static func counter() throws -> (RequestTokenCounter, Tokenizer) {
        (try RequestTokenCounters().counter(for: .o200kBase), try Tokenizer.shared(.o200kBase))
    }

    static let instructions = "You are Codex, a coding agent working in a sandboxed terminal."
    static let question = "Why does the build fail on the parser module today?"
    static let output = "error: cannot find 'tokenize' in scope\nerror: build failed with 2 errors"

    @Test func instructionsAndBareInputCountTheirText() throws {
        let (counter, tokenizer) = try Self.counter()
        let body = #"{"model":"gpt-5","instructions":"\#(Self.instructions)","input":"\#(Self.question)"}"#
        let request = try OpenAIResponsesFront.parse(bytes: Array(body.utf8))
        let expected =
            ChatTokenCounter.replyPriming + 2 * ChatTokenCounter.tokensPerMessage
            + tokenizer.count(Self.instructions) + tokenizer.count(Self.question)
        #expect(counter.request(request) == expected)
    }

    @Test func itemPartsAndToolOutputsCountTheirTextAndReasoningCiphertextDoesNot() throws {
        let (counter, tokenizer) = try Self.counter()
        let cipher = String(repeating: "gAAAAABo9x-Zq1w2e3r4t5y6u7i8o9p0", count: 20)
        let body = #"""
            {"model":"gpt-5","input":[\#
            {"type":"message","role":"user","content":[{"type":"input_text","text":"\#(Self.question)"}]},\#
            {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"\#(cipher)"},\#
            {"type":"function_call_output","call_id":"call_A","output":[{"type":"input_text","text":"\#(Self.output.replacingOccurrences(of: "\n", with: "\\n"))"}]}]}
            """#
        let request = try OpenAIResponsesFront.parse(bytes: Array(body.utf8))
        let values = request.messageValues
        #expect(
            counter.message(values[0], of: request.profile) == 3 + tokenizer.count("message") + tokenizer.count("user")
                + tokenizer.count(Self.question))
        #expect(counter.message(values[1], of: request.profile) == 3 + tokenizer.count("reasoning") + tokenizer.count("rs_1"))
        #expect(
            counter.message(values[2], of: request.profile)
                == 3 + tokenizer.count("function_call_output") + tokenizer.count("call_A") + tokenizer.count(Self.output))
    }
}
