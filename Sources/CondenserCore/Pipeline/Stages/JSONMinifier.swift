/// Minifies pretty-printed JSON: a tool result that is a JSON document (possibly after a
/// short first line such as a command echo, and before a short last line such as
/// `[exit status: 0]`), and fenced ```json blocks in any message. Values, member order
/// and number text stay exactly as they were; only insignificant whitespace goes.
///
/// A text that does not parse completely is left as it is.
struct JSONMinifier: TextStage {
    let name = "json"

    /// The longest first or last line accepted around a JSON document.
    static let maximumFrameLine = 200

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role != .system else { return text }
        let bytes = Array(text.utf8)
        guard bytes.contains(0x7B) || bytes.contains(0x5B) else { return text }
        if context.role == .toolResult, let minified = Self.minifyDocument(bytes) {
            return minified
        }
        return Self.minifyFencedBlocks(bytes) ?? text
    }

    /// The minified JSON of `bytes`, or nil when they are no JSON or already compact.
    static func minify(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        guard let first = bytes.first(where: { !ContentSniffer.isSpace($0) }), first == 0x7B || first == 0x5B,
            bytes.contains(where: { $0 == 0x0A || $0 == 0x20 || $0 == 0x09 }),
            !JSONWrappedText.hasSurrogateEscape(Array(bytes)),
            let value = try? JSONParser.parse(bytes: bytes)
        else { return nil }
        let compact = value.serializedBytes()
        return compact.count < bytes.count ? compact : nil
    }

    /// A whole tool result that is JSON, allowing one short line before and after it.
    static func minifyDocument(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.firstIndex(where: { !ContentSniffer.isSpace($0) }),
            let last = bytes.lastIndex(where: { !ContentSniffer.isSpace($0) })
        else { return nil }
        // Where the document may start and end: the whole text, or without its first or last line.
        var starts = [first]
        if let newline = bytes[first...last].firstIndex(of: 0x0A), newline - first <= maximumFrameLine {
            starts.append(newline + 1)
        }
        var ends = [last + 1]
        if let newline = bytes[first...last].lastIndex(of: 0x0A), last - newline <= maximumFrameLine {
            ends.append(newline)
        }
        for start in starts {
            for end in ends where start < end && isBracket(bytes[start]) && isBracket(bytes[end - 1]) {
                if let compact = minify(bytes[start..<end]) {
                    return String(decoding: Array(bytes[..<start]) + compact + Array(bytes[end...]), as: UTF8.self)
                }
            }
        }
        return nil
    }

    private static func isBracket(_ byte: UInt8) -> Bool {
        byte == 0x7B || byte == 0x5B || byte == 0x7D || byte == 0x5D
    }

    /// Minifies the body of each ```json fence; nil when none changed.
    static func minifyFencedBlocks(_ bytes: [UInt8]) -> String? {
        guard ByteLines.containsCaseInsensitive(bytes[...], "```json") else { return nil }
        let ranges = ByteLines.split(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var changed = false
        var i = 0
        var emitted = 0
        while i < ranges.count {
            let line = ByteLines.trimmed(bytes[ranges[i]])
            guard isJSONFence(line) else {
                i += 1
                continue
            }
            // Find the closing fence.
            var j = i + 1
            while j < ranges.count, !ByteLines.hasPrefix(ByteLines.trimmed(bytes[ranges[j]]), "```") { j += 1 }
            guard j < ranges.count, j > i + 1 else {
                i = j
                continue
            }
            let body = bytes[ranges[i + 1].lowerBound..<ranges[j - 1].upperBound]
            if let compact = minify(body) {
                out.append(contentsOf: bytes[emitted..<ranges[i + 1].lowerBound])
                out.append(contentsOf: compact)
                emitted = ranges[j - 1].upperBound
                changed = true
            }
            i = j + 1
        }
        guard changed else { return nil }
        out.append(contentsOf: bytes[emitted...])
        return String(decoding: out, as: UTF8.self)
    }

    /// ```json, ```JSON or ```jsonc.
    static func isJSONFence(_ line: ArraySlice<UInt8>) -> Bool {
        guard ByteLines.hasPrefix(line, "```") else { return false }
        let info = ByteLines.trimmed(line.dropFirst(3))
        return ByteLines.firstIndexCaseInsensitive(info, "json") == info.startIndex
            && (info.count == 4 || (info.count == 5 && ByteLines.lower(info.last!) == 0x63))
    }
}
