/// Removes whitespace that carries no meaning: trailing spaces and tabs, CRLF line
/// ends, runs of three or more blank lines, and, in messages (not tool output), runs of
/// spaces inside prose lines.
///
/// In tool output, also the padding before a numbered listing's line numbers
/// (`     12\tcode` becomes `12\tcode`, `     12→code` becomes `12→code`; the number,
/// the separator and the code stay), and the indentation every line of plain output
/// shares (a `lynx -dump` page indents all by three spaces): relative indentation stays,
/// and code, diffs and JSON keep theirs.
///
/// Otherwise leading indentation is never touched (YAML, Python and Markdown lists depend
/// on it). Text that is source code, a numbered listing, a diff or JSON, and fenced code
/// blocks inside Markdown, keep their blank lines and interior spacing; so do lines
/// aligned in columns with a neighbour (tables).
struct WhitespaceNormalizer: TextStage {
    let name = "whitespace"

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        if context.role == .toolResult {
            // Tool output quotes logs, grep hits and code excerpts whose exact spacing can matter
            // (a regex tested against a log line): spacing inside lines stays; only line ends,
            // blank runs, listing gutters and shared indentation change there.
            if let rewritten = JSONWrappedText.rewrite(
                text, requiring: [" \\n", "\\t\\n", "\\r", "\\n\\n\\n\\n", "\\n ", "\\n\\t"],
                {
                    Self.normalize($0, interior: false, toolOutput: true)
                })
            {
                return rewritten
            }
            return Self.normalize(text, interior: false, toolOutput: true)
        }
        return Self.normalize(text, interior: true)
    }

    static func normalize(_ text: String, interior: Bool, toolOutput: Bool = false) -> String {
        let bytes = Array(text.utf8)
        // Most blocks have nothing to remove: one scan says so, before lines are split and sniffed.
        guard mayChange(bytes, interior: interior, toolOutput: toolOutput) else { return text }
        let ranges = ByteLines.split(bytes)
        let lines = ranges.map { bytes[$0] }
        // Fenced blocks keep their spacing whatever the rest is; the rest decides the kind.
        let inFence = RepeatedLineCollapser.fencedLines(lines)
        let outside = ranges.indices.filter { !inFence[$0] }.map { ranges[$0] }
        let kind = ContentSniffer.kind(of: bytes, lines: outside)
        let diff = kind == .diff
        let fenced = kind.isVerbatim ? [Bool](repeating: true, count: lines.count) : inFence
        let collapseRuns = interior && (kind == .prose || kind == .mixed)
        let unpadNumbers = toolOutput && kind == .numberedListing
        let dedent = toolOutput && !kind.isVerbatim ? commonIndentation(lines) : 0
        var starts: [[Int]] = []
        if collapseRuns {
            let pointers = lines.map(isPointerLine)
            starts = lines.enumerated().map { i, line in
                // A caret line (`    ^~~~`, `?   ---`) points into the line above by column.
                let pointed = pointers[i] || (i + 1 < lines.count && pointers[i + 1])
                return fenced[i] || pointed || isIndentedCode(line) || isSnippetLine(line) ? [] : columnStarts(line)
            }
        }

        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var blankRun = 0
        var pendingBlanks = 0
        var emitted = false
        for (i, line) in lines.enumerated() {
            var body = line
            if diff || inFence[i] {
                // A diff's context line for an empty line is one space; fenced code is quoted as it is.
                if body.last == 0x0D { body = body.dropLast() }
            } else {
                body = ByteLines.trimmedTrailing(body)
            }
            let blank = body.isEmpty
            if blank && !fenced[i] {
                blankRun += 1
                pendingBlanks += 1
                continue
            }
            // Blank lines held back: three or more outside code become one.
            let keep = blankRun >= 3 ? 1 : pendingBlanks
            for _ in 0..<(emitted ? keep + 1 : keep) { out.append(0x0A) }
            pendingBlanks = 0
            blankRun = 0
            emitted = true
            if unpadNumbers {
                body = body.dropFirst(gutterPadding(body))
            } else if dedent > 0 {
                body = body.dropFirst(min(dedent, ByteLines.indentation(body)))
            }
            if collapseRuns, !starts[i].isEmpty, !isAligned(i, lines: lines, starts: starts) {
                appendCollapsed(body, to: &out)
            } else {
                out.append(contentsOf: body)
            }
        }
        // Trailing blank lines: a final newline stays, a run of them becomes one. A text
        // that is all blank has no line for the newline to end: one newline stands for it,
        // or nothing when it had none.
        if !emitted {
            out = bytes.contains(0x0A) ? [0x0A] : []
        } else {
            for _ in 0..<(blankRun >= 3 ? 1 : pendingBlanks) { out.append(0x0A) }
        }
        return out == bytes ? text : String(decoding: out, as: UTF8.self)
    }

    /// Whether `normalize` may change `bytes`: some line ends in a space, a tab or a
    /// carriage return, three empty lines follow each other, the text is all blank, or (in
    /// messages) a line holds two spaces after its indentation, or (in tool output) a line
    /// has a listing gutter's padding or every line is indented. False means unchanged.
    static func mayChange(_ bytes: [UInt8], interior: Bool, toolOutput: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            var emptyRun = 0
            var sawText = false
            var allIndented = true
            while true {
                let end = ByteLines.lineEnd(buffer, from: start)
                if end == start {
                    emptyRun += 1
                    if emptyRun >= 3 { return true }
                } else {
                    emptyRun = 0
                    sawText = true
                    let last = buffer[end - 1]
                    if last == 0x20 || last == 0x09 || last == 0x0D { return true }
                    let first = buffer[start]
                    let indented = first == 0x20 || first == 0x09
                    if indented, toolOutput, gutterPadding(buffer[start..<end]) > 0 { return true }
                    // Not indented: no shared indentation, unless the line is an earlier stage's note.
                    if !indented, first != 0x5B { allIndented = false }
                    if interior {
                        var i = start
                        while i < end, buffer[i] == 0x20 || buffer[i] == 0x09 { i += 1 }
                        while i + 1 < end {
                            if buffer[i] == 0x20, buffer[i + 1] == 0x20 { return true }
                            i += 1
                        }
                    }
                }
                guard end < buffer.count else { break }
                start = end + 1
            }
            return !sawText || (toolOutput && allIndented)
        }
    }

    /// The spaces before a listing's line number (`     12\tcode`, `     12→code`, or
    /// `     12` for an empty line once its tab is trimmed); 0 for any other line.
    static func gutterPadding<Line: RandomAccessCollection<UInt8>>(_ line: Line) -> Int where Line.Index == Int {
        var number = line.startIndex
        while number < line.endIndex, line[number] == 0x20 { number += 1 }
        var end = number
        while end < line.endIndex, ByteLines.isDigit(line[end]) { end += 1 }
        guard number > line.startIndex, (1...7).contains(end - number) else { return 0 }
        let gutter = end == line.endIndex || line[end] == 0x09 || ContentSniffer.isArrow(line, at: end)
        return gutter ? number - line.startIndex : 0
    }

    /// The count of leading bytes of whitespace that every line with text begins with
    /// (the same spaces and tabs in the same order). Notes an earlier stage left
    /// (`[page navigation omitted]`) don't count: they are not the output's own lines.
    static func commonIndentation(_ lines: [ArraySlice<UInt8>]) -> Int {
        var common: ArraySlice<UInt8>?
        for line in lines where !ByteLines.isBlank(line) && !ElidedLines.isMarkerLine(line) {
            let indent = line.prefix(ByteLines.indentation(line))
            guard let shared = common else {
                common = indent
                continue
            }
            let length = zip(shared, indent).prefix { $0 == $1 }.count
            if length == 0 { return 0 }
            common = shared.prefix(length)
        }
        return common?.count ?? 0
    }

    /// A line of only markers that point at columns of its neighbour: `^`, `~`, `|`, `?`, `-`, `+`.
    static func isPointerLine(_ line: ArraySlice<UInt8>) -> Bool {
        var markers = 0
        for byte in line {
            switch byte {
            case 0x5E, 0x7E: markers += 1 // ^ ~
            case 0x20, 0x09, 0x7C, 0x3F, 0x2D, 0x2B: break // space tab | ? - +
            default: return false
            }
        }
        return markers > 0 || ByteLines.hasPrefix(ByteLines.trimmed(line), "?")
    }

    /// A compiler's source excerpt: ` 2716 |     Py_ssize_t n;`.
    static func isSnippetLine(_ line: ArraySlice<UInt8>) -> Bool {
        let content = ByteLines.trimmed(line)
        let digits = content.prefix { ByteLines.isDigit($0) }
        return ByteLines.hasPrefix(content.dropFirst(digits.count), " |") || ByteLines.hasPrefix(content, "|")
    }

    /// Four or more spaces of indentation and no list marker: a Markdown code block.
    static func isIndentedCode(_ line: ArraySlice<UInt8>) -> Bool {
        let indent = ByteLines.indentation(line)
        guard indent >= 4 else { return false }
        let content = line.dropFirst(indent)
        if ByteLines.hasPrefix(content, "- ") || ByteLines.hasPrefix(content, "* ") || ByteLines.hasPrefix(content, "+ ") {
            return false
        }
        let digits = content.prefix { ByteLines.isDigit($0) }
        return !(1...3).contains(digits.count) || !ByteLines.hasPrefix(content.dropFirst(digits.count), ". ")
    }

    /// A Markdown fence: three or more backticks or tildes.
    static func fenceMarker(_ content: ArraySlice<UInt8>) -> (byte: UInt8, length: Int, rest: ArraySlice<UInt8>)? {
        guard let first = content.first, first == 0x60 || first == 0x7E else { return nil }
        var length = 0
        var i = content.startIndex
        while i < content.endIndex, content[i] == first {
            length += 1
            i += 1
        }
        return length >= 3 ? (first, length, content[i...]) : nil
    }

    /// Offsets (from the line start) of text that follows a run of two or more spaces
    /// after the indentation; empty when the line has no such run.
    static func columnStarts(_ line: ArraySlice<UInt8>) -> [Int] {
        var result: [Int] = []
        var i = line.startIndex + ByteLines.indentation(line)
        var spaces = 0
        while i < line.endIndex {
            if line[i] == 0x20 {
                spaces += 1
            } else {
                if spaces >= 2 { result.append(i - line.startIndex) }
                spaces = 0
            }
            i += 1
        }
        return result
    }

    /// Whether line `i` lines up in columns with the line above or below it: both have
    /// text starting at the same offset after a run of spaces. Symmetric, so a second
    /// pass leaves a table alone just as the first did.
    static func isAligned(_ i: Int, lines: [ArraySlice<UInt8>], starts: [[Int]]) -> Bool {
        for j in [i - 1, i + 1] where j >= 0 && j < lines.count && !starts[j].isEmpty {
            if starts[i].contains(where: { starts[j].contains($0) }) { return true }
        }
        return false
    }

    /// The line with each run of spaces after its indentation made one space.
    static func appendCollapsed(_ line: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let indent = ByteLines.indentation(line)
        out.append(contentsOf: line.prefix(indent))
        var previousSpace = false
        for byte in line.dropFirst(indent) {
            if byte == 0x20 {
                if previousSpace { continue }
                previousSpace = true
            } else {
                previousSpace = false
            }
            out.append(byte)
        }
    }
}
