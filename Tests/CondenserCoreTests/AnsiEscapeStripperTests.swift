import Testing

@testable import CondenserCore

@Suite struct AnsiEscapeStripperTests {
    let stage = AnsiEscapeStripper()
    let tool = BlockContext(role: .toolResult)

    @Test func removesColoursAndStyles() {
        let text =
            "\u{1B}[1m=== test session starts ===\u{1B}[0m\nsrc/a.py \u{1B}[32m.\u{1B}[0m\u{1B}[31mF\u{1B}[0m \u{1B}[01;35m\u{1B}[Kwarning: \u{1B}[m\u{1B}[K\n"
        #expect(stage.apply(text, context: tool) == "=== test session starts ===\nsrc/a.py .F warning: \n")
    }

    @Test func removesCursorMovesAndShortEscapes() {
        let text = "\u{1B}[2K\u{1B}[1Aline one\u{1B}7\u{1B}(B\u{1B}[?25l done\u{1B}[?25h"
        #expect(stage.apply(text, context: tool) == "line one done")
    }

    @Test func hyperlinksKeepTheirText() {
        let text = "see \u{1B}]8;;https://example.com/docs\u{1B}\\the docs\u{1B}]8;;\u{1B}\\ and \u{1B}]0;title\u{07}more"
        #expect(stage.apply(text, context: tool) == "see the docs and more")
    }

    @Test func unterminatedOSCStopsAtTheLineEnd() {
        let text = "a\u{1B}]0;broken title\nsecond line"
        #expect(stage.apply(text, context: tool) == "a\nsecond line")
    }

    @Test func textWithoutEscapesIsReturnedUnchanged() {
        let text = "plain output, 100% done [ok]\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func stripsEscapesInsideAJSONWrappedToolResult() {
        let text = #"{"exit_code": 1, "output": "\u001b[31mFAILED\u001b[0m tests/test_a.py::test_x\n1 failed\n"}"#
        #expect(stage.apply(text, context: tool) == #"{"exit_code":1,"output":"FAILED tests/test_a.py::test_x\n1 failed\n"}"#)
    }

    @Test func isIdempotent() {
        let text = "\u{1B}[33mwarn\u{1B}[0m: x\n\u{1B}[1m\u{1B}[31mE   assert 1 == 2\u{1B}[0m\n"
        let once = stage.apply(text, context: tool)
        #expect(stage.apply(once, context: tool) == once)
    }
}
