import Testing

@testable import CondenserCore

@Suite struct PieceCountCacheTests {
    /// A stand-in for merging: any count that depends on every byte of the piece.
    static func fakeCount(_ piece: [UInt8]) -> Int {
        piece.reduce(piece.count) { ($0 &* 31 &+ Int($1)) & 0xFFFF }
    }

    static func count(_ cache: PieceCountCache, _ piece: [UInt8], calls: inout Int) -> Int {
        piece.withUnsafeBufferPointer { buffer in
            cache.count(buffer.baseAddress!, buffer.count) {
                calls += 1
                return fakeCount(piece)
            }
        }
    }

    @Test func remembersAPieceAndComputesItOnce() {
        let cache = PieceCountCache()
        var calls = 0
        let piece = Array("Deduplicator".utf8)
        #expect(Self.count(cache, piece, calls: &calls) == Self.fakeCount(piece))
        #expect(Self.count(cache, piece, calls: &calls) == Self.fakeCount(piece))
        #expect(calls == 1)
    }

    @Test func longPiecesAreComputedEachTime() {
        let cache = PieceCountCache()
        var calls = 0
        let piece = [UInt8](repeating: 0x61, count: PieceCountCache.maximumLength + 1)
        _ = Self.count(cache, piece, calls: &calls)
        _ = Self.count(cache, piece, calls: &calls)
        #expect(calls == 2)
    }

    @Test func manyMorePiecesThanSlotsStillGetTheirOwnCounts() {
        // Pieces that share a slot replace each other; a hit compares every byte, so
        // each piece gets its own count, whichever came last. Pieces differ only near
        // their ends or only in length, which a partial comparison would miss.
        let cache = PieceCountCache()
        var calls = 0
        let pieces: [[UInt8]] = (0..<(3 * PieceCountCache.slotCount)).map { index in
            let stem = Array("piece_number_\(index % 97)_".utf8)
            return stem + Array(String(index).utf8) + [UInt8](repeating: 0x7A, count: index % 5)
        }.filter { $0.count <= PieceCountCache.maximumLength }
        for _ in 0..<2 {
            for piece in pieces {
                #expect(Self.count(cache, piece, calls: &calls) == Self.fakeCount(piece))
            }
        }
        let prefixes = [Array("ab".utf8), Array("ab\u{0}".utf8), Array("ab\u{0}\u{0}".utf8)]
        for _ in 0..<2 {
            for piece in prefixes {
                #expect(Self.count(cache, piece, calls: &calls) == Self.fakeCount(piece))
            }
        }
    }

    @Test func tokenizerCountsStayExactWithTheCacheWarm() throws {
        let tokenizer = try Tokenizer.shared(.o200kBase)
        let text = (0..<400).map { "identifier_\($0 % 37) = compute_value(arg\($0 % 11), 'Zürich') // naïve résumé\n" }.joined()
        let ids = tokenizer.encode(text).count
        #expect(tokenizer.count(text) == ids)
        #expect(tokenizer.count(text) == ids)
        for piece in ["résumé", "identifier_12", "compute_value"] {
            #expect(tokenizer.count(piece) == tokenizer.encode(piece).count)
        }
    }
}
