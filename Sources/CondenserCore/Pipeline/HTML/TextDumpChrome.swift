/// Strips the navigation around a documentation page rendered to text (`lynx -dump`
/// of a Sphinx page): the logo and search box, "Table of Contents", "Previous topic",
/// "Next topic", "This Page" and "Navigation" blocks at the start and the end, the
/// copyright footer after the last of them, and lynx's numbered link list with the
/// `[12]` references pointing into it. Only recognised chrome goes; body text stays.
enum TextDumpChrome {
    static let sectionHeaders: Set<String> = [
        "Table of Contents", "Contents", "Previous topic", "Next topic", "This Page", "Navigation", "Quick search",
        "Previous page", "Next page", "On this page",
    ]
    /// Sections whose body is one line (the linked page's title), not a list.
    static let singleLineSections: Set<String> = ["Previous topic", "Next topic", "Previous page", "Next page"]

    static func strip(_ bytes: [UInt8]) -> String? {
        guard
            ByteLines.containsCaseInsensitive(bytes[...], "navigation")
                || ByteLines.containsCaseInsensitive(bytes[...], "topic")
        else { return nil }
        let ranges = ByteLines.split(bytes)
        let lines = ranges.map { bytes[$0] }
        let headers = lines.indices.filter { isSectionHeader(lines[$0]) }
        // Two distinct kinds of chrome header make a page dump; one alone may be body text.
        guard Set(headers.map { normalized(lines[$0]) }).count >= 2 else { return nil }

        // The exit status line and lynx's link list at the very end.
        var end = lines.count
        while end > 0, ByteLines.isBlank(lines[end - 1]) { end -= 1 }
        var tail: [ArraySlice<UInt8>] = []
        if end > 0, ByteLines.hasPrefix(ByteLines.trimmed(lines[end - 1]), "[exit status") {
            tail.append(lines[end - 1])
            end -= 1
        }
        var droppedReferences = 0
        if let references = referencesStart(lines, end: end) {
            droppedReferences = end - references
            end = references
        }

        // Leading chrome.
        var start = 0
        while start < end {
            if ByteLines.isBlank(lines[start]) || isLogoOrSearch(lines[start]) {
                start += 1
            } else if isSectionHeader(lines[start]) {
                start = sectionEnd(lines, from: start, end: end)
            } else {
                break
            }
        }

        // Trailing chrome: the earliest header from which only chrome and a footer follow.
        var bodyEnd = end
        for header in headers.reversed() where header >= start && header < end {
            var k = header
            while k < end, isSectionHeader(lines[k]) || ByteLines.isBlank(lines[k]) || isLogoOrSearch(lines[k]) {
                k = isSectionHeader(lines[k]) ? sectionEnd(lines, from: k, end: end) : k + 1
            }
            guard k == end || isFooter(lines[k..<end]) else { break }
            bodyEnd = header
        }
        while bodyEnd > start, ByteLines.isBlank(lines[bodyEnd - 1]) { bodyEnd -= 1 }
        guard start > 0 || bodyEnd < end || droppedReferences > 0 else { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        out.append(contentsOf: Marker.note("page navigation omitted").utf8)
        out.append(0x0A)
        for line in lines[start..<bodyEnd] {
            out.append(0x0A)
            // lynx's link numbers point into a list that is dropped here, or was cut off already.
            appendWithoutReferences(line, to: &out)
        }
        if droppedReferences > 0 {
            out.append(contentsOf: [0x0A, 0x0A])
            out.append(contentsOf: Marker.omitted(droppedReferences, "link reference line").utf8)
        }
        for line in tail {
            out.append(contentsOf: [0x0A, 0x0A])
            out.append(contentsOf: line)
        }
        if bytes.last == 0x0A { out.append(0x0A) }
        return out.count < bytes.count ? String(decoding: out, as: UTF8.self) : nil
    }

    /// The line with lynx's `[12]` link numbers removed.
    static func normalized(_ line: ArraySlice<UInt8>) -> String {
        var content = ByteLines.trimmed(line)
        if ByteLines.hasPrefix(content, "* ") { content = content.dropFirst(2) }
        if content.first == 0x5B, let close = content.firstIndex(of: 0x5D),
            content[(content.startIndex + 1)..<close].allSatisfy(ByteLines.isDigit), close > content.startIndex + 1
        {
            content = content[(close + 1)...]
        }
        return String(decoding: content, as: UTF8.self)
    }

    static func isSectionHeader(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count < 40, !ByteLines.hasPrefix(ByteLines.trimmed(line), "* ") else { return false }
        return sectionHeaders.contains(normalized(line))
    }

    /// `[1] [Logo]`, `____________________ [Go]`, a lone `|`, `«` or `»`.
    static func isLogoOrSearch(_ line: ArraySlice<UInt8>) -> Bool {
        let content = ByteLines.trimmed(line)
        let text = String(decoding: content, as: UTF8.self)
        if text == "|" || text == "«" || text == "»" || text == "*" { return true }
        if text.hasSuffix("[Go]"), text.hasPrefix("_") { return true }
        let name = normalized(line)
        return name == " [Logo]" || name == "[Logo]" || name == "[python logo]"
    }

    /// The index after a chrome section starting with its header at `start`.
    static func sectionEnd(_ lines: [ArraySlice<UInt8>], from start: Int, end: Int) -> Int {
        let header = normalized(lines[start])
        var k = start + 1
        if singleLineSections.contains(header) {
            while k < end, ByteLines.isBlank(lines[k]) { k += 1 }
            // One short line: the title of the linked page.
            if k < end, !isSectionHeader(lines[k]), lines[k].count <= 120 { k += 1 }
            return k
        }
        while k < end {
            let content = ByteLines.trimmed(lines[k])
            if content.isEmpty || ByteLines.hasPrefix(content, "* ") || isLogoOrSearch(lines[k]) {
                k += 1
            } else {
                break
            }
        }
        return k
    }

    /// A short copyright footer: a few lines, one of them with © or "Copyright".
    static func isFooter(_ lines: ArraySlice<ArraySlice<UInt8>>) -> Bool {
        guard lines.count <= 16 else { return false }
        return lines.contains { line in
            let text = String(decoding: line, as: UTF8.self)
            return text.contains("©") || text.contains("Copyright")
        }
    }

    /// Where lynx's `References` list (numbered URLs to the end) starts.
    static func referencesStart(_ lines: [ArraySlice<UInt8>], end: Int) -> Int? {
        var k = end
        var urls = 0
        while k > 0 {
            let content = ByteLines.trimmed(lines[k - 1])
            if content.isEmpty {
                k -= 1
                continue
            }
            if isReferenceLine(content) {
                urls += 1
                k -= 1
                continue
            }
            guard String(decoding: content, as: UTF8.self) == "References", urls > 0 else { return nil }
            return k - 1
        }
        return nil
    }

    /// `12. https://...`
    static func isReferenceLine(_ content: ArraySlice<UInt8>) -> Bool {
        var i = content.startIndex
        while i < content.endIndex, ByteLines.isDigit(content[i]) { i += 1 }
        guard i > content.startIndex, i + 2 < content.endIndex, content[i] == 0x2E, content[i + 1] == 0x20 else {
            return false
        }
        let rest = content[(i + 2)...]
        return ByteLines.hasPrefix(rest, "http") || ByteLines.hasPrefix(rest, "file:") || ByteLines.hasPrefix(rest, "/")
    }

    /// Drops `[12]` before link text and `[12]¶` permalinks, which point into the dropped list.
    static func appendWithoutReferences(_ line: ArraySlice<UInt8>, to out: inout [UInt8]) {
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == 0x5B {
                var j = i + 1
                while j < line.endIndex, ByteLines.isDigit(line[j]) { j += 1 }
                if j > i + 1, j < line.endIndex, line[j] == 0x5D {
                    let after = j + 1
                    if ByteLines.hasPrefix(line[after...], "¶") {
                        i = after + 2
                        continue
                    }
                    if i == line.startIndex || isReferenceBoundary(line[i - 1]), after < line.endIndex,
                        isLinkTextStart(line[after])
                    {
                        i = after
                        continue
                    }
                }
            }
            out.append(line[i])
            i += 1
        }
    }

    static func isReferenceBoundary(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x28 || b == 0x22 || b == 0x2F || b == 0x09 || b >= 0x80
    }

    static func isLinkTextStart(_ b: UInt8) -> Bool {
        ByteLines.isLetter(b) || b == 0x5F || b >= 0x80 || ByteLines.isDigit(b)
    }
}
