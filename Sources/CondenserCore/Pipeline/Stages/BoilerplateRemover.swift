/// Stage `boilerplate`: a paragraph (text between blank lines) that already appeared in
/// full in an earlier message, such as the same disclaimer, header or footer, becomes a
/// short reference to that message. The first copy stays; references only point back.
struct BoilerplateRemover: Sendable {
    static let name = "boilerplate"

    /// Paragraphs shorter than this are never replaced; short ones repeat by chance.
    var minimumCharacters: Int

    init(minimumCharacters: Int = 160) {
        self.minimumCharacters = minimumCharacters
    }

    /// Where each long paragraph first appeared in full.
    struct Index: Sendable {
        var paragraphs: [StableHash: Int] = [:]
        init() {}
    }

    /// The hashes of the long paragraphs of a text, computed once per block.
    func paragraphHashes(_ text: String) -> [StableHash] {
        guard text.utf8.count >= minimumCharacters else { return [] }
        var text = text
        return text.withUTF8 { bytes in
            BoilerplateRemover.paragraphRanges(bytes).compactMap { range in
                range.count >= minimumCharacters
                    ? StableHash(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range]))) : nil
            }
        }
    }

    /// Records the paragraphs of a message that is in the request in full.
    func register(_ hashes: [StableHash], messageIndex: Int, in index: inout Index) {
        for hash in hashes where index.paragraphs[hash] == nil {
            index.paragraphs[hash] = messageIndex
        }
    }

    /// `text` with every long paragraph seen in an earlier message replaced by a
    /// reference, or nil when there is none.
    func rewrite(_ text: String, messageIndex: Int, index: Index) -> String? {
        guard text.utf8.count >= minimumCharacters, !index.paragraphs.isEmpty else { return nil }
        var text = text
        return text.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            var replaced = false
            for (position, range) in BoilerplateRemover.paragraphRanges(bytes).enumerated() {
                if position > 0 { out.append(contentsOf: [0x0A, 0x0A]) }
                if range.count >= minimumCharacters,
                    let first = index.paragraphs[StableHash(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range])))],
                    first < messageIndex
                {
                    out.append(contentsOf: Marker.sameAs("a paragraph", messageIndex: first + 1).utf8)
                    replaced = true
                } else {
                    out.append(contentsOf: bytes[range])
                }
            }
            return replaced ? String(decoding: out, as: UTF8.self) : nil
        }
    }

    /// The byte ranges of the pieces of a text between `\n\n` separators.
    static func paragraphRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var index = 0
        let count = bytes.count
        while index + 1 < count {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
                ranges.append(start..<index)
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        ranges.append(start..<count)
        return ranges
    }
}
