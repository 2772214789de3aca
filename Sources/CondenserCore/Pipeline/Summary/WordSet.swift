/// A fixed set of ASCII words, looked up by the bytes of a candidate without making a
/// `String` of it: the summary stages test every word of a 100 KB text against keyword lists.
struct WordSet: Sendable {
    private let hashes: [UInt64]

    init(_ words: [String]) {
        hashes = words.map { word in
            var word = word
            return word.withUTF8 { WordSet.hash($0[...]) }
        }.sorted()
    }

    func contains(_ word: ArraySlice<UInt8>) -> Bool {
        contains(hash: WordSet.hash(word))
    }

    func contains(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        contains(hash: TokenCensus.fingerprint(buffer, range))
    }

    private func contains(hash: UInt64) -> Bool {
        var low = 0
        var high = hashes.count
        while low < high {
            let mid = (low + high) / 2
            if hashes[mid] < hash { low = mid + 1 } else { high = mid }
        }
        return low < hashes.count && hashes[low] == hash
    }

    /// FNV-1a, the same as `TokenCensus.fingerprint`.
    static func hash<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return hash
    }
}
