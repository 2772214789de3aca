import Testing

@testable import CondenserCore

@Suite struct ElidedLinesTests {
    func assemble(_ text: String, keep: [Bool]) -> String {
        let bytes = Array(text.utf8)
        return ElidedLines.assemble(bytes, lines: ByteLines.split(bytes), keep: keep)
    }

    @Test func runsBecomeOneIndentedMarker() {
        let text = "a\n    long dropped line number one\n    long dropped line number two\nb"
        #expect(assemble(text, keep: [true, false, false, true]) == "a\n    \(Marker.omittedLines(2))\nb")
    }

    @Test func runsShorterThanTheirMarkerStay() {
        let text = "a\nx\nb"
        #expect(assemble(text, keep: [true, false, true]) == text)
    }

    @Test func aFinalNewlineSurvives() {
        let text = "a\nthe first dropped line is long\nthe second dropped line is long\n"
        #expect(assemble(text, keep: [true, false, false, false]) == "a\n\(Marker.omittedLines(2))\n")
    }

    @Test func recognisesMarkersOfEveryStage() {
        #expect(ElidedLines.isMarkerLine(ArraySlice("  [... 12 lines omitted]".utf8)))
        #expect(ElidedLines.isMarkerLine(ArraySlice("[previous line repeated 3 more times]".utf8)))
        #expect(ElidedLines.isMarkerLine(ArraySlice("[same as tool result in message 4]".utf8)))
        #expect(!ElidedLines.isMarkerLine(ArraySlice("[1] [Logo]".utf8)))
    }
}
