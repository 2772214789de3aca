import Synchronization

/// Stores the token counts of the pieces that byte-pair merging had to work out (pieces
/// that are not one token), shared by every count of a tokenizer.
///
/// Merging one such piece costs a couple of thousand instructions, and the same pieces
/// (identifiers, paths, words the vocabulary splits) come back all the time: in one text,
/// and in each stage's output of it, which the pipeline counts again. A hit compares the
/// piece's bytes in full, so a count is never another piece's.
///
/// A fixed table, direct-mapped: a new piece takes its slot from whatever was there, so
/// memory stays at `slotCount` slots of five words (320 KiB).
final class PieceCountCache: @unchecked Sendable {
    /// The longest piece cached; longer pieces are rare and are merged each time.
    static let maximumLength = 32
    static let slotCount = 8192
    /// Words per slot: the length and count, then the piece's bytes, zero-padded.
    private static let slotWords = 5

    private let lock = Mutex(())
    /// Written only under `lock`.
    private let slots: UnsafeMutablePointer<UInt64>

    init() {
        slots = .allocate(capacity: Self.slotCount * Self.slotWords)
        slots.initialize(repeating: 0, count: Self.slotCount * Self.slotWords)
    }

    deinit {
        slots.deallocate()
    }

    /// The piece's count, computing and remembering it on a miss. Pieces longer than
    /// `maximumLength` are computed each time.
    @inline(__always)
    func count(_ piece: UnsafePointer<UInt8>, _ length: Int, compute: () -> Int) -> Int {
        guard length <= Self.maximumLength else { return compute() }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: piece, byteCount: length) }
        let head = UInt64(length)
        var hash = (words.0 ^ head) &* 0x9E37_79B9_7F4A_7C15
        hash = (hash ^ words.1 ^ (hash >> 29)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ words.2 ^ (hash >> 31)) &* 0x94D0_49BB_1331_11EB
        hash = (hash ^ words.3 ^ (hash >> 30)) &* 0x9E37_79B9_7F4A_7C15
        let slot = slots + Int(truncatingIfNeeded: hash >> 40) % Self.slotCount * Self.slotWords
        let cached: Int? = lock.withLock { _ in
            guard slot[0] & 0xFF == head, slot[1] == words.0, slot[2] == words.1, slot[3] == words.2, slot[4] == words.3 else {
                return nil
            }
            return Int(truncatingIfNeeded: slot[0] >> 8)
        }
        if let cached { return cached }
        let count = compute()
        lock.withLock { _ in
            slot[0] = head | UInt64(count) << 8
            slot[1] = words.0
            slot[2] = words.1
            slot[3] = words.2
            slot[4] = words.3
        }
        return count
    }
}
