/// A byte-pair rank file in memory: token bytes to rank through an open-addressing hash
/// table, and rank to bytes through offsets into one byte array. Far quicker to build and
/// to probe than a `[[UInt8]: Int]`, which would allocate an array per token.
///
/// The memory is allocated once and never changes after `init`, which is why sharing it
/// across threads is safe (`@unchecked Sendable`).
final class RankTable: @unchecked Sendable {
    /// Raw views of the tables, for the hot loops.
    let lookup: RankLookup
    /// The number of ranks (one past the highest).
    let count: Int
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let offsets: UnsafeMutableBufferPointer<UInt32>
    private let slots: UnsafeMutableBufferPointer<UInt64>
    private let byteRanks: UnsafeMutableBufferPointer<UInt32>
    private let pairRanks: UnsafeMutableBufferPointer<UInt32>

    static let missing = UInt32.max

    /// The 6-bit value of each standard base64 digit, 0xFF for any other byte.
    static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, digit) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(digit)] = UInt8(index)
        }
        return table
    }()

    /// Parses a `.tiktoken` file: one `BASE64 RANK` line per token.
    init(tiktokenFile file: [UInt8]) throws(TokenizerError) {
        // Decoded tokens are shorter than the file, so one allocation of its size holds them.
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, file.count))
        var starts: [UInt32] = []
        var ranks: [Int] = []
        var inRankOrder = true
        var maxLength = 0
        let base64 = RankTable.base64Values
        let failure: TokenizerError? = file.withUnsafeBufferPointer { text in
            base64.withUnsafeBufferPointer { digits in
                var i = 0
                var written = 0
                var line = 1
                let end = text.count
                starts.reserveCapacity(end / 16)
                ranks.reserveCapacity(end / 16)
                while i < end {
                    let start = written
                    // Whole groups of four digits first; padding, the space and bad bytes
                    // (all 0xFF in the table) stop it, and the loop below finishes the token.
                    while i + 4 <= end {
                        let a = digits[Int(text[i])]
                        let b = digits[Int(text[i + 1])]
                        let c = digits[Int(text[i + 2])]
                        let d = digits[Int(text[i + 3])]
                        guard (a | b | c | d) & 0x80 == 0 else { break }
                        let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        bytes[written] = UInt8(truncatingIfNeeded: group >> 16)
                        bytes[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                        bytes[written + 2] = UInt8(truncatingIfNeeded: group)
                        written += 3
                        i += 4
                    }
                    var accumulator: UInt32 = 0
                    var bits = 0
                    while i < end, text[i] != 0x20 {
                        let value = digits[Int(text[i])]
                        i += 1
                        if value == 0xFF {
                            if text[i - 1] == UInt8(ascii: "=") { continue }
                            return TokenizerError("line \(line) of the rank file has an invalid base64 byte")
                        }
                        accumulator = accumulator << 6 | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            bytes[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                            written += 1
                        }
                    }
                    guard i < end, written > start else {
                        return TokenizerError("line \(line) of the rank file has no token or no rank")
                    }
                    i += 1
                    var rank = 0
                    let digitsStart = i
                    while i < end, text[i] &- 0x30 < 10 {
                        rank = rank &* 10 &+ Int(text[i] &- 0x30)
                        i += 1
                    }
                    guard i > digitsStart, i - digitsStart < 10 else {
                        return TokenizerError("line \(line) of the rank file has no valid rank")
                    }
                    while i < end, text[i] == 0x0A || text[i] == 0x0D { i += 1 }
                    if rank != ranks.count { inRankOrder = false }
                    starts.append(UInt32(start))
                    ranks.append(rank)
                    maxLength = max(maxLength, written - start)
                    line += 1
                }
                starts.append(UInt32(written))
                return nil
            }
        }
        if let failure {
            bytes.deallocate()
            throw failure
        }
        guard !ranks.isEmpty else {
            bytes.deallocate()
            throw TokenizerError("the rank file is empty")
        }

        // OpenAI's files list ranks 0..<n in order; anything else is laid out again by rank.
        let maxRank = ranks.max()!
        // A corrupt file must not make us allocate gigabytes for offsets.
        guard maxRank < 2 * ranks.count + 1024 else {
            bytes.deallocate()
            throw TokenizerError("the rank file has a rank (\(maxRank)) far beyond its \(ranks.count) tokens")
        }
        let offsets = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: maxRank + 2)
        if inRankOrder {
            _ = offsets.initialize(from: starts)
            self.bytes = bytes
        } else {
            var spans = [(start: Int, end: Int)?](repeating: nil, count: maxRank + 1)
            for (line, rank) in ranks.enumerated() { spans[rank] = (Int(starts[line]), Int(starts[line + 1])) }
            let ordered = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, file.count))
            var written = 0
            for rank in 0...maxRank {
                offsets[rank] = UInt32(written)
                guard let span = spans[rank] else { continue }
                for k in span.start..<span.end {
                    ordered[written] = bytes[k]
                    written += 1
                }
            }
            offsets[maxRank + 1] = UInt32(written)
            bytes.deallocate()
            self.bytes = ordered
        }

        // Load factor under 0.4 keeps probes short.
        var capacity = 1
        while capacity < ranks.count * 5 / 2 { capacity <<= 1 }
        let mask = capacity - 1
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0)
        // Two-byte tokens also go in a direct table: every merge starts with pair lookups.
        pairRanks = .allocate(capacity: 1 << 16)
        pairRanks.initialize(repeating: RankTable.missing)
        let base = UnsafePointer(self.bytes.baseAddress!)
        for rank in 0...maxRank {
            let start = Int(offsets[rank])
            let end = Int(offsets[rank + 1])
            guard end > start else { continue }
            if end - start == 2 { pairRanks[Int(base[start]) << 8 | Int(base[start + 1])] = UInt32(rank) }
            let hash = RankTable.hash(base + start, end - start)
            var index = Int(truncatingIfNeeded: hash) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(rank + 1)
        }

        count = maxRank + 1
        self.offsets = offsets
        byteRanks = .allocate(capacity: 256)
        byteRanks.initialize(repeating: RankTable.missing)
        lookup = RankLookup(
            bytes: base, offsets: UnsafePointer(offsets.baseAddress!), slots: UnsafePointer(slots.baseAddress!),
            mask: mask, maxTokenLength: maxLength, byteRanks: UnsafePointer(byteRanks.baseAddress!),
            pairRanks: UnsafePointer(pairRanks.baseAddress!)
        )
        for byte in 0..<256 {
            var value = UInt8(byte)
            byteRanks[byte] = lookup.probe(&value, 1)
        }
        guard !byteRanks.contains(RankTable.missing) else {
            throw TokenizerError("the rank file lacks a token for some single byte")
        }
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
        slots.deallocate()
        byteRanks.deallocate()
        pairRanks.deallocate()
    }

    /// A 64-bit hash of a short byte string: word-at-a-time multiply-xorshift.
    @inline(__always)
    static func hash(_ pointer: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(length &+ 1)
        var i = 0
        while i + 8 <= length {
            let word = UnsafeRawPointer(pointer + i).loadUnaligned(as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < length {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < length {
                tail |= UInt64(pointer[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }
}

/// Pointers into a `RankTable`, valid while the table lives.
struct RankLookup {
    let bytes: UnsafePointer<UInt8>
    let offsets: UnsafePointer<UInt32>
    let slots: UnsafePointer<UInt64>
    let mask: Int
    let maxTokenLength: Int
    /// The rank of each single byte (every byte is a token in these encodings).
    let byteRanks: UnsafePointer<UInt32>
    /// The rank of each two-byte token, indexed by `first << 8 | second`.
    let pairRanks: UnsafePointer<UInt32>

    /// The rank of a byte string, or `RankTable.missing`.
    @inline(__always)
    func rank(_ pointer: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        if length == 1 { return byteRanks[Int(pointer.pointee)] }
        if length == 2 { return pairRanks[Int(pointer[0]) << 8 | Int(pointer[1])] }
        guard length <= maxTokenLength else { return RankTable.missing }
        return probe(pointer, length)
    }

    /// The hash-table lookup itself.
    @inline(__always)
    func probe(_ pointer: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        let hash = RankTable.hash(pointer, length)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return RankTable.missing }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let rank = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                let start = Int(offsets[rank])
                if Int(offsets[rank + 1]) - start == length, RankLookup.equal(bytes + start, pointer, length) {
                    return UInt32(rank)
                }
            }
            index = (index + 1) & mask
        }
    }

    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var i = 0
        while i + 8 <= length {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < length {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// The bytes of a rank, or an empty buffer for a rank the file doesn't have.
    @inline(__always)
    func bytes(of rank: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[rank])
        return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[rank + 1]) - start)
    }
}
