/// What the condenser carries from block to block, and the markers for what it dropped.
extension ProseCondenser {
    struct State {
        /// Sentences dropped since the last marker.
        var pending = 0
        /// Content words of kept sentences, to spot restatements.
        var seenWords: Set<UInt64> = []
        /// Facts and names of kept sentences.
        var seenFacts: Set<UInt64> = []
        var sentenceCount = 0
        var inList = false
        var lastWasListItem = false
    }

    func appendBlock(_ out: inout [UInt8], _ block: [UInt8]) {
        guard !block.isEmpty else { return }
        if !out.isEmpty { out.append(contentsOf: [0x0A, 0x0A]) }
        out.append(contentsOf: block)
    }

    /// Writes the marker for the sentences dropped so far, at the end of the last block or
    /// on a line of its own.
    func flush(_ state: inout State, _ out: inout [UInt8], inline: Bool = false) {
        guard state.pending > 0 else { return }
        let marker = Marker.omitted(state.pending, "sentence")
        if inline, !out.isEmpty {
            out.append(0x20)
            out.append(contentsOf: marker.utf8)
        } else {
            appendBlock(&out, Array(marker.utf8))
        }
        state.pending = 0
    }

    /// The count in a `[... 3 sentences omitted]` line.
    static func omittedSentences(in line: ArraySlice<UInt8>) -> Int? {
        let content = ByteLines.trimmed(line)
        guard ByteLines.hasPrefix(content, "[... "), content.last == UInt8(ascii: "]") else { return nil }
        let digits = content.dropFirst(5).prefix { ByteLines.isDigit($0) }
        let rest = content[digits.endIndex...]
        guard !digits.isEmpty, digits.count < 7,
            ByteLines.hasPrefix(rest, " sentences omitted]") || ByteLines.hasPrefix(rest, " sentence omitted]")
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
