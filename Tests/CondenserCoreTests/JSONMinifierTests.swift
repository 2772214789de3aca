import Testing

@testable import CondenserCore

@Suite struct JSONMinifierTests {
    let stage = JSONMinifier()
    let tool = BlockContext(role: .toolResult)

    @Test func minifiesAPrettyDocumentKeepingValuesExactly() {
        let text = """
            {
              "count": 2,
              "ratio": 1.50,
              "big": 12345678901234567890,
              "items": [
                { "code": "DSP-1033", "note": "tab\\there \\"quoted\\" \\u00e9" },
                { "code": null, "ok": true }
              ]
            }
            """
        let expected =
            #"{"count":2,"ratio":1.50,"big":12345678901234567890,"items":[{"code":"DSP-1033","note":"tab\there \"quoted\" é"},{"code":null,"ok":true}]}"#
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func keepsAShortCommandLineBeforeAndAStatusLineAfter() {
        let text = "$ curl -s localhost:8080/api\n[\n  1,\n  2\n]\n[exit status: 0]"
        #expect(stage.apply(text, context: tool) == "$ curl -s localhost:8080/api\n[1,2]\n[exit status: 0]")
    }

    @Test func invalidJSONIsLeftAlone() {
        let text = "{\n  \"a\": 1,\n  \"b\": [1, 2,]\n}"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func loneSurrogateEscapesAreLeftAlone() {
        let text = "{\n  \"a\": \"\\ud800\"\n}"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func compactJSONIsReturnedUnchanged() {
        let text = #"{"a":[1,2,3]}"#
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func fencedJSONBlocksInMessagesAreMinified() {
        let text = "Config:\n```json\n{\n  \"retries\": 3,\n  \"hosts\": [\"a\", \"b\"]\n}\n```\nand text ```json stays\n"
        let expected = "Config:\n```json\n{\"retries\":3,\"hosts\":[\"a\",\"b\"]}\n```\nand text ```json stays\n"
        #expect(stage.apply(text, context: BlockContext(role: .assistant)) == expected)
        #expect(stage.apply(text, context: BlockContext(role: .user)) == expected)
    }

    @Test func proseInToolResultsIsLeftAlone() {
        let text = "Result: {\n  \"a\": 1\n} and more text after it that is long"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func systemPromptsAreLeftAlone() {
        let text = "```json\n{\n  \"a\": 1\n}\n```"
        #expect(stage.apply(text, context: BlockContext(role: .system)) == text)
    }

    @Test func isIdempotent() {
        let text = "[\n  {\"k\": \"v\"},\n  {\"k\": \"w\"}\n]\n"
        let once = stage.apply(text, context: tool)
        #expect(once == #"[{"k":"v"},{"k":"w"}]"# + "\n")
        #expect(stage.apply(once, context: tool) == once)
    }
}
