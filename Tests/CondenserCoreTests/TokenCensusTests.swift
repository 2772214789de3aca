import Testing
@testable import CondenserCore

@Suite struct TokenCensusTests {
    func flags(_ lines: [String]) -> [Bool] {
        let bytes = Array(lines.joined(separator: "\n").utf8)
        return TokenCensus.factLines(bytes, lines: ByteLines.split(bytes))
    }

    @Test func rareIdsKeepEveryLineTheyAreOn() {
        let result = flags(["plain", "code DSP-1033 here", "plain", "again DSP-1033", "plain"])
        #expect(result == [false, true, false, true, false])
    }

    @Test func commonIdsKeepOnlyTheirFirstLine() {
        let lines = (0..<10).map { "edge-1 session \($0) opened" }
        let result = flags(lines)
        #expect(result.first == true)
        #expect(result.dropFirst().allSatisfy { !$0 })
    }

    @Test func numbersPathsAndIdentifiersAreNotStrongEnough() {
        #expect(flags(["port 5686 in Lib/poplib.py", "UnicodeDecodeError at 12:00"]) == [false, false])
    }
}
