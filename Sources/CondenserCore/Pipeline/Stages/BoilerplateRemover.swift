/// Stage `boilerplate`: a paragraph (text between blank lines) that already appeared in
/// full in an earlier message, such as the same disclaimer, header or footer, becomes a
/// short reference to that message. The first copy stays; references only point back.
public struct BoilerplateRemover: Sendable {
    public static let name = "boilerplate"

    /// Paragraphs shorter than this are never replaced; short ones repeat by chance.
    public var minimumCharacters: Int

    public init(minimumCharacters: Int = 160) {
        self.minimumCharacters = minimumCharacters
    }

    /// Where each long paragraph first appeared in full.
    public struct Index: Sendable {
        var paragraphs: [StableHash: Int] = [:]
        public init() {}
    }

    /// The hashes of the long paragraphs of a text, computed once per block.
    public func paragraphHashes(_ text: String) -> [StableHash] {
        guard text.utf8.count >= minimumCharacters else { return [] }
        return BoilerplateRemover.paragraphs(text).compactMap { $0.utf8.count >= minimumCharacters ? StableHash(String($0)) : nil }
    }

    /// Records the paragraphs of a message that is in the request in full.
    public func register(_ hashes: [StableHash], messageIndex: Int, in index: inout Index) {
        for hash in hashes where index.paragraphs[hash] == nil {
            index.paragraphs[hash] = messageIndex
        }
    }

    /// `text` with every long paragraph seen in an earlier message replaced by a
    /// reference, or nil when there is none.
    public func rewrite(_ text: String, messageIndex: Int, index: Index) -> String? {
        guard text.utf8.count >= minimumCharacters, !index.paragraphs.isEmpty else { return nil }
        let pieces = BoilerplateRemover.paragraphs(text)
        var replaced = false
        var out: [Substring] = []
        out.reserveCapacity(pieces.count)
        for piece in pieces {
            if piece.utf8.count >= minimumCharacters, let first = index.paragraphs[StableHash(String(piece))], first < messageIndex {
                out.append(Substring(Marker.sameAs("a paragraph", messageIndex: first + 1)))
                replaced = true
            } else {
                out.append(piece)
            }
        }
        return replaced ? out.joined(separator: "\n\n") : nil
    }

    static func paragraphs(_ text: String) -> [Substring] {
        var pieces: [Substring] = []
        var rest = Substring(text)
        while let range = rest.firstRange(of: "\n\n") {
            pieces.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        pieces.append(rest)
        return pieces
    }
}
