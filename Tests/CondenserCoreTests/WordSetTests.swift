import Testing

@testable import CondenserCore

@Suite struct WordSetTests {
    @Test func findsExactlyItsWords() {
        let set = WordSet(["error", "Error", "FAIL"])
        #expect(set.contains(ArraySlice("error".utf8)))
        #expect(set.contains(ArraySlice("FAIL".utf8)))
        #expect(!set.contains(ArraySlice("errors".utf8)))
        #expect(!set.contains(ArraySlice("fail".utf8)))
        #expect(!set.contains(ArraySlice("".utf8)))
    }
}
