import Foundation

/// Lines and the line numbers of numbered listings.
extension Deduplicator {
    /// The lines of `text`, as `text.split(separator: "\n", omittingEmptySubsequences: false)`
    /// gives them, read as bytes.
    /// `\r\n` is one `Character`, unequal to `"\n"`, so a newline after a carriage return
    /// splits nothing; every other newline is a character boundary on both sides.
    // Read as bytes because splitting by `Character` cost a third of a warm turn.
    static func lines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        // The offset and index of the newline found last, to step to the next one.
        var offset = 0
        var index = utf8.startIndex
        withBytes(text[...]) { bytes in
            var from = 0
            while from < bytes.count, let found = memchr(bytes.baseAddress! + from, 0x0A, bytes.count - from) {
                let at = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                from = at + 1
                guard at == 0 || bytes[at - 1] != 0x0D else { continue }
                index = utf8.index(index, offsetBy: at - offset)
                offset = at
                lines.append(text[start..<index])
                start = utf8.index(after: index)
            }
        }
        lines.append(text[start...])
        return lines
    }

    static func isNumberedListing(_ lines: [Substring]) -> Bool {
        guard lines.count >= 3 else { return false }
        var numbered = 0
        for line in lines where hasLineNumber(line) { numbered += 1 }
        return numbered * 10 >= lines.count * 9
    }

    static func hasLineNumber(_ line: Substring) -> Bool {
        gutterEnd(line) != nil
    }

    /// Where a listing line's code starts, after the number and its tab or arrow
    /// (`  12\tcode`, `  12→code`); nil for a line without a number.
    static func gutterEnd(_ line: Substring) -> Substring.Index? {
        let width: Int? = withBytes(line) { bytes in
            var i = 0
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            let digits = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") { i += 1 }
            guard i > digits, i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "\t") { return i + 1 }
            // `→` is E2 86 92.
            return i + 3 <= bytes.count && bytes[i] == 0xE2 && bytes[i + 1] == 0x86 && bytes[i + 2] == 0x92 ? i + 3 : nil
        }
        return width.map { line.utf8.index(line.utf8.startIndex, offsetBy: $0) }
    }

    static func stripLineNumber(_ line: Substring) -> Substring {
        guard let end = gutterEnd(line) else { return line }
        return line[end...]
    }
}
