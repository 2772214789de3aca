import Testing

@testable import CondenserCore

@Suite struct TokenCensusTests {
    func flags(_ lines: [String]) -> [Bool] {
        let bytes = Array(lines.joined(separator: "\n").utf8)
        return TokenCensus.factLines(bytes, lines: ByteLines.split(bytes))
    }

    @Test func anIdKeepsTheFirstLineItIsOn() {
        let result = flags(["plain", "code DSP-1033 here", "plain", "again DSP-1033", "plain", "and E2531K after DSP-1033"])
        #expect(result == [false, true, false, false, false, true])
    }

    @Test func commonIdsKeepOnlyTheirFirstLine() {
        let lines = (0..<6).map { "edge-1 session \($0) opened" }
        let result = flags(lines)
        #expect(result.first == true)
        #expect(result.dropFirst().allSatisfy { !$0 })
    }

    @Test func anIdOnEveryLineOfALongLogIsAColumnSampledAtItsStart() {
        let result = flags((0..<10).map { "edge-1 session \($0) opened" })
        #expect(result == [true, true, true] + Array(repeating: false, count: 7))
    }

    @Test func numbersPathsAndIdentifiersAreNotStrongEnough() {
        #expect(flags(["port 5686 in Lib/poplib.py", "UnicodeDecodeError at 12:00"]) == [false, false])
    }

    @Test func aColumnOfUniqueIdsKeepsItsFirstLinesAndAnIdOfAnotherShapeStays() {
        // Session ids of one shape on every line are data; the one code of another shape is a fact.
        let ids = [
            "Qw3rTy7uIo", "As4dFg8hJk", "Zx5cVb9nMl", "Po1iUy2tRe", "Lk6jHg3fDs", "Mn7bVc4xZa",
            "Wq8eRt5yUi", "Ty2uIo6pAs", "Df9gHj1kLz", "Xc3vBn7mQw", "Er4tYu8iOp", "Gh5jKl9zXc",
        ]
        var lines = ids.map { "login session=<\($0)> closed" }
        lines.insert("health check failed with code QRX-8228", at: 7)
        let result = flags(lines)
        #expect(result[0] && result[1] && result[2])
        #expect(result[7])
        #expect(result.enumerated().filter { $0.element }.map(\.offset) == [0, 1, 2, 7])
    }

    @Test func rareIdsOnAFewLinesAreNoColumn() {
        let lines = ["a Qw3rTy7uIo", "b As4dFg8hJk", "c Zx5cVb9nMl", "d Po1iUy2tRe", "plain"]
        #expect(flags(lines) == [true, true, true, true, false])
    }

    @Test func shapesGroupTokensByTheirCharacterClasses() {
        func shape(_ token: String, _ kind: FactDetector.Kind = .code) -> UInt64 {
            let bytes = Array(token.utf8)
            return bytes.withUnsafeBufferPointer { TokenCensus.shapeFingerprint($0, 0..<bytes.count, kind: kind) }
        }
        #expect(shape("QRX-8228") == shape("DSP-1033"))
        #expect(shape("QRX-8228") != shape("vetiver-55"))
        #expect(shape("Qw3rTy7uIo") == shape("As4dFg8hJk"))
        #expect(shape("QRX-8228") != shape("QRX-8228", .hash))
    }

    @Test func aRareValueOfAColumnStaysOnALineTheCallerPicks() {
        let ids = (0..<12).map { "session=<Qw\($0)rTy7uIo> closed" }
        var lines = ids
        lines[9] = "ERROR session=<Zz9rTy7uIo> lost"
        let bytes = Array(lines.joined(separator: "\n").utf8)
        let picked = TokenCensus.factLines(bytes, lines: ByteLines.split(bytes)) { $0.starts(with: "ERROR".utf8) }
        #expect(picked.enumerated().filter { $0.element }.map(\.offset) == [0, 1, 2, 9])
        #expect(!flags(lines)[9])
    }
}
