/// Blocks: what kind each line starts, and how code blocks and tables are shortened.
extension ProseCondenser {
    enum BlockKind { case paragraph, listItem, heading, fence, table, marker }

    static func blockKind(_ line: ArraySlice<UInt8>) -> BlockKind {
        let content = ByteLines.trimmed(line)
        guard let first = content.first else { return .paragraph }
        if isFence(line) { return .fence }
        if first == UInt8(ascii: "#"), LogCondenser.isHeading(content) { return .heading }
        if first == UInt8(ascii: "|") { return .table }
        if ElidedLines.isMarkerLine(content) { return .marker }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") || first == 0xE2 {
            // `- item`, `* item`, `• item`
            if content.count > 2, content[content.startIndex + 1] == 0x20 { return .listItem }
            if first == 0xE2, ByteLines.hasPrefix(content, "• ") { return .listItem }
        }
        if ByteLines.isDigit(first) {
            let digits = content.prefix { ByteLines.isDigit($0) }.count
            let after = content.startIndex + digits
            if digits <= 3, after + 1 < content.endIndex, content[after] == UInt8(ascii: ".") || content[after] == UInt8(ascii: ")"),
                content[after + 1] == 0x20
            {
                return .listItem
            }
        }
        return .paragraph
    }

    static func isFence(_ line: ArraySlice<UInt8>) -> Bool {
        let content = ByteLines.trimmed(line)
        return ByteLines.hasPrefix(content, "```") || ByteLines.hasPrefix(content, "~~~")
    }

    /// A fenced code block, outlined when it is long.
    func codeBlock(_ bytes: [UInt8], _ lines: ArraySlice<Range<Int>>) -> [UInt8] {
        let whole = Array(bytes[lines.first!.lowerBound..<lines.last!.upperBound])
        let closed = lines.count >= 2 && Self.isFence(bytes[lines.last!])
        let inner = lines.dropFirst().dropLast(closed ? 1 : 0)
        guard inner.count > codeBlockLimit, let first = inner.first, let last = inner.last else { return whole }
        let codeBytes = Array(bytes[first.lowerBound..<last.upperBound])
        let codeLines = ByteLines.split(codeBytes)
        let isDiff = ContentSniffer.kind(of: codeBytes, lines: codeLines) == .diff
        // A diff keeps its changed lines; other code keeps its outline.
        let shortened =
            isDiff
            ? LogCondenser(mode: mode).condense(codeBytes, lines: codeLines, isDiff: true)
            : CodeOutline(mode: mode).outline(codeBytes, lines: codeLines)
        guard let outlined = shortened, outlined.utf8.count < codeBytes.count else { return whole }
        var out = Array(bytes[lines.first!])
        out.append(0x0A)
        out.append(contentsOf: outlined.utf8)
        if closed {
            out.append(0x0A)
            out.append(contentsOf: bytes[lines.last!])
        }
        return out
    }

    /// A Markdown table: its header, separator, first row and rows with ids.
    func table(_ bytes: [UInt8], _ lines: ArraySlice<Range<Int>>, _ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var omitted = 0
        for (offset, range) in lines.enumerated() {
            var keep = offset < 3 || offset == lines.count - 1 || ElidedLines.isMarkerLine(bytes[range])
            if !keep {
                FactDetector.scan(buffer, range) { kind, _ in keep = keep || kind.isStrong }
            }
            if keep {
                if omitted > 0 {
                    out.append(contentsOf: Marker.omitted(omitted, "row").utf8)
                    out.append(0x0A)
                    omitted = 0
                }
                out.append(contentsOf: bytes[range])
                out.append(0x0A)
            } else {
                omitted += 1
            }
        }
        if omitted > 0 { out.append(contentsOf: Marker.omitted(omitted, "row").utf8) } else { out.removeLast() }
        return out
    }
}
