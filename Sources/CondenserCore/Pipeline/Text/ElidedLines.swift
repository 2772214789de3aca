/// Rebuilds a text from the lines a summary keeps, with one marker per run of dropped lines.
enum ElidedLines {
    /// The text of `lines` where `keep` is true; each run of dropped lines becomes
    /// `[... n lines omitted]`, indented like the run's first line. Runs too short to be
    /// worth a marker, and runs of blank lines, stay as they were.
    static func assemble(_ bytes: [UInt8], lines: [Range<Int>], keep: [Bool], prefixWidth: (Range<Int>) -> Int = { _ in 0 }) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var index = 0
        var first = true
        func emit(_ slice: ArraySlice<UInt8>) {
            if !first { out.append(0x0A) }
            first = false
            out.append(contentsOf: slice)
        }
        while index < lines.count {
            // The empty line after a final newline stays, so the text still ends in one.
            if keep[index] || (index == lines.count - 1 && lines[index].isEmpty) {
                emit(bytes[lines[index]])
                index += 1
                continue
            }
            var end = index
            var runBytes = 0
            var firstContent: Range<Int>?
            while end < lines.count, !keep[end], !(end == lines.count - 1 && lines[end].isEmpty && end > index) {
                let line = lines[end]
                runBytes += line.count + 1
                if firstContent == nil, !ByteLines.isBlank(bytes[line]) { firstContent = line }
                end += 1
            }
            let marker = Marker.omittedLines(end - index)
            if let content = firstContent, runBytes > marker.utf8.count + 12 {
                let prefix = prefixWidth(content)
                let indent = ByteLines.indentation(bytes[(content.lowerBound + prefix)..<content.upperBound])
                var line = [UInt8](repeating: 0x20, count: min(indent, 16))
                line.append(contentsOf: marker.utf8)
                emit(line[...])
            } else {
                for i in index..<end { emit(bytes[lines[i]]) }
            }
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A note an earlier stage or summary left (`[... 12 lines omitted]`): kept as it is.
    static func isMarkerLine(_ line: ArraySlice<UInt8>) -> Bool {
        let content = ByteLines.trimmed(line)
        guard content.first == UInt8(ascii: "["), content.last == UInt8(ascii: "]"), content.count < 120 else {
            return false
        }
        return ByteLines.containsCaseInsensitive(content, " omitted]") || ByteLines.hasPrefix(content, "[previous line repeated")
            || ByteLines.hasPrefix(content, "[same as ")
    }
}
