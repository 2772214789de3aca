/// Stage `prefixes`: in log-like tool output, a run of three or more consecutive lines
/// that begin with the same long prefix (a compiler command line, a CI job's name, a
/// syslog host and process) becomes one marker that states the prefix once, followed by
/// the lines without it:
///
///     [next 3 lines each start with "gcc -c -O2 -I./Include -o "; shown without it]
///     Objects/abstract.o Objects/abstract.c
///     Objects/call.o Objects/call.c
///     Objects/dictobject.o Objects/dictobject.c
///
/// Nothing is lost: every line still reads as the prefix plus what is shown. A prefix ends
/// only after a space or a tab, or after the colon of a `path:12` location, and the shown
/// part never starts with a space, so no word, number, path or id is split between the
/// marker and the line.
///
/// Only plain tool output (logs, command output, messages) is folded: never code,
/// listings, diffs, JSON or HTML, tables under a header row, indented blocks, runs that are
/// mostly code lines, or code fences. A run is folded only where an estimate of its tokens
/// says the marker pays for itself; where runs compete, the folding that saves the most
/// wins. A summary unfolds the text first (`unfolded`), so it never keeps a line without
/// the marker that gives its prefix.
public struct SharedPrefixFolder: TextStage {
    public let name = "prefixes"

    static let minimumRun = 3
    /// Prefixes shorter than this stay: too little to save for the indirection.
    static let minimumPrefixBytes = 12
    /// How far a run is looked for from each line, so a long uniform log costs linear time.
    static let maximumRun = 128
    /// About what a marker costs beyond the prefix it states, in tokens.
    static let markerTokens = 14

    public init() {}

    public func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult else { return text }
        if let rewritten = JSONWrappedText.rewrite(text, { Self.fold($0) }) {
            return rewritten
        }
        return Self.fold(text)
    }

    static func fold(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let ranges = ByteLines.split(bytes)
        guard ranges.count >= minimumRun else { return text }
        let lines = ranges.map { bytes[$0] }
        let count = lines.count
        // shared[i]: the bytes lines i and i + 1 have in common at their start.
        var shared = [Int](repeating: 0, count: count)
        var candidates = 0
        for i in 0..<(count - 1) {
            shared[i] = commonPrefixLength(lines[i], lines[i + 1])
            if shared[i] >= minimumPrefixBytes { candidates += 1 }
        }
        guard candidates >= minimumRun - 1 else { return text }
        let kind = ContentSniffer.kind(of: bytes, lines: ranges)
        guard !kind.isVerbatim, kind != .html else { return text }
        // Folded once already: folding the shown parts again would nest markers.
        if lines.contains(where: isMarker) || hasHeaderRow(lines) { return text }
        let fenced = RepeatedLineCollapser.fencedLines(lines)
        for i in 0..<(count - 1) where fenced[i] || fenced[i + 1] { shared[i] = 0 }
        var codeBefore = [Int](repeating: 0, count: count + 1)
        for i in 0..<count {
            // Only lines that can be in a run are read.
            let candidate = shared[i] >= minimumPrefixBytes || (i > 0 && shared[i - 1] >= minimumPrefixBytes)
            codeBefore[i + 1] = codeBefore[i] + (candidate ? isCode(lines[i]) : 0)
        }

        // best[i]: the most tokens folding can save in lines i...; choice[i]: the run
        // (end, prefix length) that starts there in that best folding.
        var best = [Int](repeating: 0, count: count + 1)
        var choice = [(end: Int, prefix: Int)?](repeating: nil, count: count + 1)
        for i in stride(from: count - 1, through: 0, by: -1) {
            best[i] = best[i + 1]
            guard shared[i] >= minimumPrefixBytes else { continue }
            var common = shared[i]
            let closed = closedPrefixes(lines[i], upTo: common)
            var cut = prefixLength(lines, from: i, through: i + 1, common: common, closed: closed)
            var prefixTokens = cut.map { estimatedTokens(lines[i].prefix($0)) } ?? 0
            var j = i + 1
            while true {
                let size = j - i + 1
                if let cut, size >= minimumRun, !mostlyCode(codeBefore, i, j) {
                    let saved = (size - 1) * prefixTokens - markerTokens
                    if saved > 0, saved + best[j + 1] > best[i] {
                        best[i] = saved + best[j + 1]
                        choice[i] = (j + 1, cut)
                    }
                }
                j += 1
                guard j < count, j - i < maximumRun, shared[j - 1] >= minimumPrefixBytes else { break }
                let previous = cut
                if shared[j - 1] < common {
                    common = shared[j - 1]
                    cut = prefixLength(lines, from: i, through: j, common: common, closed: closed)
                } else if let length = cut, length == common, !isCut(lines[j], at: length) {
                    // Cut where the lines differ: the new line's own text decides.
                    cut = prefixLength(lines, from: i, through: j, common: common, closed: closed)
                }
                if cut != previous { prefixTokens = cut.map { estimatedTokens(lines[i].prefix($0)) } ?? 0 }
                guard cut != nil else { break }
            }
        }
        guard best[0] > 0 else { return text }

        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < count {
            if i > 0 { out.append(0x0A) }
            guard let run = choice[i] else {
                out.append(contentsOf: lines[i])
                i += 1
                continue
            }
            let prefix = String(decoding: lines[i].prefix(run.prefix), as: UTF8.self)
            out.append(contentsOf: Marker.sharedPrefix(prefix, lines: run.end - i).utf8)
            for line in lines[i..<run.end] {
                out.append(0x0A)
                out.append(contentsOf: line.dropFirst(run.prefix))
            }
            i = run.end
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The longest prefix, at most `common` bytes and at least the minimum, that lines
    /// `first...last` can all be shown without; nil when there is none. `closed` is
    /// `closedPrefixes` of the first line.
    static func prefixLength(_ lines: [ArraySlice<UInt8>], from first: Int, through last: Int, common: Int, closed: [Bool]) -> Int? {
        let line = lines[first]
        var length = common
        while length >= minimumPrefixBytes {
            // Below `common` every line has the same bytes around the cut as the first.
            if closed[length],
                length < common ? isCut(line, at: length) : (first...last).allSatisfy({ isCut(lines[$0], at: length) })
            {
                return length
            }
            length -= 1
        }
        return nil
    }

    /// For each length up to `limit`, whether the line's first `length` bytes close every
    /// bracket and double quote they open: `[Mon Dec 23 09:49:10 2013]` or a quoted request
    /// is never split between the marker and the line.
    static func closedPrefixes(_ line: ArraySlice<UInt8>, upTo limit: Int) -> [Bool] {
        var closed = [Bool](repeating: true, count: limit + 1)
        var depth = 0
        var quoted = false
        for (offset, byte) in line.prefix(limit).enumerated() {
            switch byte {
            case 0x22: quoted.toggle()
            case 0x28, 0x5B, 0x7B: depth += 1
            case 0x29, 0x5D, 0x7D: depth -= 1
            default: break
            }
            closed[offset + 1] = depth == 0 && !quoted
        }
        return closed
    }

    /// Whether `line` may be shown without its first `length` bytes: they end with a
    /// space or a tab (or a `path:` before a line number), and what remains starts with
    /// something other than a space, and not with a time (which stays with its date).
    static func isCut(_ line: ArraySlice<UInt8>, at length: Int) -> Bool {
        // An indented block (an example in a manual, a traceback's frames) keeps its shape.
        guard length > 1, length < line.count, line.first != 0x20, line.first != 0x09 else { return false }
        let before = line[line.startIndex + length - 1]
        let after = line[line.startIndex + length]
        guard after != 0x20, after != 0x09, after != 0x0D else { return false }
        if before == 0x20 || before == 0x09 { return !startsWithTime(line.dropFirst(length)) }
        // `Lib/a.py:` then `12: ...`, but never inside a time (`10:42:07`).
        let beforeColon = line[line.startIndex + length - 2]
        return before == 0x3A && ByteLines.isDigit(after) && !ByteLines.isDigit(beforeColon) && beforeColon != 0x20
    }

    /// `10:42`, `09:49:10`: the time of a date the prefix would end with.
    static func startsWithTime(_ text: ArraySlice<UInt8>) -> Bool {
        let head = Array(text.prefix(5))
        return head.count == 5 && ByteLines.isDigit(head[0]) && ByteLines.isDigit(head[1]) && head[2] == 0x3A
            && ByteLines.isDigit(head[3]) && ByteLines.isDigit(head[4])
    }

    static func commonPrefixLength(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        var n = 0
        var i = a.startIndex
        var j = b.startIndex
        while i < a.endIndex, j < b.endIndex, a[i] == b[j] {
            n += 1
            i += 1
            j += 1
        }
        return n
    }

    /// Runs of code lines (examples in a manual page, a traceback's source lines) keep
    /// their shape: a reader compares them as code.
    static func mostlyCode(_ codeBefore: [Int], _ first: Int, _ last: Int) -> Bool {
        (codeBefore[last + 1] - codeBefore[first]) * 2 >= last - first + 1
    }

    static func isCode(_ line: ArraySlice<UInt8>) -> Int {
        let content = ByteLines.trimmed(line)
        if ByteLines.hasPrefix(content, ">>> ") || ByteLines.hasPrefix(content, "... ") { return 1 }
        return ContentSniffer.isCodeLine(content) ? 1 : 0
    }

    /// A rough count of the tokens of `bytes` in a BPE encoding such as o200k: words of up
    /// to eight letters, groups of three digits, and punctuation in pairs count one each; a
    /// space before a word and one mark joining words in a path are free. It errs low, so
    /// a fold it allows saves tokens.
    static func estimatedTokens(_ bytes: ArraySlice<UInt8>) -> Int {
        var tokens = 0
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let kind = characterKind(bytes[i])
            var j = i + 1
            while j < bytes.endIndex, characterKind(bytes[j]) == kind { j += 1 }
            let length = j - i
            switch kind {
            case .space:
                if length > 1 || j == bytes.endIndex { tokens += 1 }
            case .letter:
                tokens += 1 + (length - 1) / 8
            case .digit:
                tokens += (length + 2) / 3
            case .mark:
                let joins = length == 1 && j < bytes.endIndex && characterKind(bytes[j]) == .letter
                    && (bytes[i] == 0x2F || bytes[i] == 0x5F || bytes[i] == 0x2E)
                if !joins { tokens += 1 + (length - 1) / 2 }
            }
            i = j
        }
        return tokens
    }

    private enum CharacterKind { case space, letter, digit, mark }

    private static func characterKind(_ byte: UInt8) -> CharacterKind {
        if byte == 0x20 || byte == 0x09 { return .space }
        if ByteLines.isDigit(byte) { return .digit }
        if ByteLines.isLetter(byte) || byte >= 0x80 { return .letter }
        return .mark
    }

    /// Whether the text is a table under a header row (`NAME   STATUS   AGE`): its rows are
    /// read by column, which a fold would shift away from the header.
    static func hasHeaderRow(_ lines: [ArraySlice<UInt8>]) -> Bool {
        let rows = Array(lines.lazy.filter { !ByteLines.isBlank($0) }.prefix(2))
        // Lines that start alike are rows of one kind (a command repeated), not a header and a row.
        guard rows.count == 2, commonPrefixLength(rows[0], rows[1]) < minimumPrefixBytes else { return false }
        let header = WhitespaceNormalizer.columnStarts(rows[0])
        let first = WhitespaceNormalizer.columnStarts(rows[1])
        return header.count >= 2 && header.filter(first.contains).count >= 2
    }

    /// `text` with every fold undone (the prefix put back on the lines of each marker),
    /// or nil when it holds none: a summary keeps or drops whole lines, never a marker
    /// apart from the lines it stands over.
    public static func unfolded(_ text: String) -> String? {
        guard ByteLines.containsCaseInsensitive(Array(text.utf8)[...], "[next ") else { return nil }
        if let rewritten = JSONWrappedText.rewrite(text, { unfold($0) ?? $0 }) {
            return rewritten
        }
        return unfold(text)
    }

    static func unfold(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        let lines = ByteLines.split(bytes).map { bytes[$0] }
        var out: [ArraySlice<UInt8>] = []
        out.reserveCapacity(lines.count)
        var changed = false
        var i = 0
        while i < lines.count {
            guard let marker = parseMarker(lines[i]), i + marker.count < lines.count else {
                out.append(lines[i])
                i += 1
                continue
            }
            for line in lines[(i + 1)...(i + marker.count)] { out.append(ArraySlice(Array(marker.prefix) + Array(line))) }
            changed = true
            i += marker.count + 1
        }
        return changed ? ByteLines.join(out) : nil
    }

    static let markerHead = Array("[next ".utf8)
    static let markerMiddle = Array(" lines each start with \"".utf8)
    static let markerTail = Array("\"; shown without it]".utf8)

    /// The prefix and line count a marker line states, as `Marker.sharedPrefix` writes them.
    static func parseMarker(_ line: ArraySlice<UInt8>) -> (prefix: ArraySlice<UInt8>, count: Int)? {
        guard line.starts(with: markerHead), line.count > markerHead.count + markerMiddle.count + markerTail.count,
            line.suffix(markerTail.count).elementsEqual(markerTail) else { return nil }
        let digits = line.dropFirst(markerHead.count).prefix { ByteLines.isDigit($0) }
        guard (1...6).contains(digits.count), let count = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        let rest = line[digits.endIndex...]
        guard rest.starts(with: markerMiddle), rest.count >= markerMiddle.count + markerTail.count else { return nil }
        return (rest.dropFirst(markerMiddle.count).dropLast(markerTail.count), count)
    }

    /// A marker this stage wrote.
    static func isMarker(_ line: ArraySlice<UInt8>) -> Bool {
        parseMarker(line) != nil
    }
}
