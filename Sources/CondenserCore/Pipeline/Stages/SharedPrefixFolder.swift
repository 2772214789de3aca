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
struct SharedPrefixFolder: TextStage {
    let name = "prefixes"

    static let minimumRun = 3
    /// Prefixes shorter than this stay: too little to save for the indirection.
    static let minimumPrefixBytes = 12
    /// How far a run is looked for from each line, so a long uniform log costs linear time.
    static let maximumRun = 128
    /// About what a marker costs beyond the prefix it states, in tokens.
    static let markerTokens = 14

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult else { return text }
        return JSONWrappedText.applying(Self.fold, to: text)
    }

    static func fold(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let ranges = ByteLines.split(bytes)
        guard ranges.count >= minimumRun else { return text }
        let count = ranges.count
        // shared[i]: the bytes lines i and i + 1 have in common at their start; 0 for an
        // indented line, which is never cut (`isCut`), so code costs little here.
        var shared = [Int](repeating: 0, count: count)
        var candidates = 0
        bytes.withUnsafeBufferPointer { buffer in
            for i in 0..<(count - 1) {
                let line = buffer[ranges[i]]
                guard let first = line.first, first != 0x20, first != 0x09 else { continue }
                shared[i] = commonPrefixLength(line, buffer[ranges[i + 1]])
                if shared[i] >= minimumPrefixBytes { candidates += 1 }
            }
        }
        guard candidates >= minimumRun - 1 else { return text }
        let lines = ranges.map { bytes[$0] }
        let fenced = RepeatedLineCollapser.fencedLines(lines)
        for i in 0..<(count - 1) where fenced[i] || fenced[i + 1] { shared[i] = 0 }
        var codeBefore = [Int](repeating: 0, count: count + 1)
        for i in 0..<count {
            // Only lines that can be in a run are read.
            let candidate = shared[i] >= minimumPrefixBytes || (i > 0 && shared[i - 1] >= minimumPrefixBytes)
            codeBefore[i + 1] = codeBefore[i] + (candidate ? isCode(lines[i]) : 0)
        }

        let choice = bytes.withUnsafeBufferPointer { buffer in
            bestRuns(ranges.map { buffer[$0] }, shared: shared, codeBefore: codeBefore)
        }
        guard choice.contains(where: { $0 != nil }) else { return text }
        // What the text is, asked only once it has runs to fold (most output has none).
        let kind = ContentSniffer.kind(of: bytes, lines: ranges)
        guard !kind.isVerbatim, kind != .html else { return text }
        // Folded once already: folding the shown parts again would nest markers.
        if lines.contains(where: isMarker) || hasHeaderRow(lines) { return text }

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

    /// For each line, the run (end, prefix length) that starts there in the folding that
    /// saves the most, by dynamic programming from the last line back.
    static func bestRuns(_ lines: [Slice<UnsafeBufferPointer<UInt8>>], shared: [Int], codeBefore: [Int]) -> [(end: Int, prefix: Int)?] {
        // best[i]: the most tokens folding can save in lines i...; choice[i]: the run
        // (end, prefix length) that starts there in that best folding.
        let count = lines.count
        var best = [Int](repeating: 0, count: count + 1)
        var choice = [(end: Int, prefix: Int)?](repeating: nil, count: count + 1)
        for i in stride(from: count - 1, through: 0, by: -1) {
            best[i] = best[i + 1]
            guard shared[i] >= minimumPrefixBytes else { continue }
            let cuts = cutPoints(lines[i], upTo: shared[i])
            var common = shared[i]
            // The longest cut no longer than `common` that suits lines i...j, and how many
            // of those lines were checked at it when it equals `common`.
            var index = cuts.count - 1
            var checked = i
            var j = i + 1
            while true {
                while index >= 0 {
                    let length = cuts[index].length
                    if length < common { break }
                    if length == common {
                        // Cut where the lines differ: each line's own text decides.
                        while checked < j, isCut(lines[checked + 1], at: length) { checked += 1 }
                        if checked == j { break }
                    }
                    index -= 1
                    checked = i
                }
                guard index >= 0 else { break }
                let size = j - i + 1
                if size >= minimumRun, !mostlyCode(codeBefore, i, j) {
                    let saved = (size - 1) * cuts[index].tokens - markerTokens
                    if saved > 0, saved + best[j + 1] > best[i] {
                        best[i] = saved + best[j + 1]
                        choice[i] = (j + 1, cuts[index].length)
                    }
                }
                j += 1
                guard j < count, j - i < maximumRun, shared[j - 1] >= minimumPrefixBytes else { break }
                common = min(common, shared[j - 1])
            }
        }
        return choice
    }

    /// The lengths, up to `limit` and from the minimum, at which `line` may be cut
    /// (`isCut`, with every bracket and double quote the prefix opens closed, so
    /// `[Mon Dec 23 09:49:10 2013]` or a quoted request is never split), shortest first,
    /// each with the estimated tokens of the prefix it leaves. One pass over the line.
    static func cutPoints<Line: RandomAccessCollection<UInt8>>(_ line: Line, upTo limit: Int) -> [(length: Int, tokens: Int)]
    where Line.Index == Int {
        var cuts: [(length: Int, tokens: Int)] = []
        var tokens = 0
        var depth = 0
        var quoted = false
        var i = line.startIndex
        let end = line.startIndex + min(limit, line.count)
        while i < end {
            let kind = characterKind(line[i])
            var j = i + 1
            while j < line.endIndex, characterKind(line[j]) == kind { j += 1 }
            if kind == .mark {
                for byte in line[i..<min(j, end)] {
                    switch byte {
                    case 0x22: quoted.toggle()
                    case 0x28, 0x5B, 0x7B: depth += 1
                    case 0x29, 0x5D, 0x7D: depth -= 1
                    default: break
                    }
                }
            }
            // Cuts fall where one kind of character gives way to another: at a chunk's end.
            let length = j - line.startIndex
            if j <= end, length >= minimumPrefixBytes, depth == 0, !quoted, isCut(line, at: length) {
                cuts.append((length, tokens + chunkTokens(line, i, j, last: true)))
            }
            tokens += chunkTokens(line, i, j, last: j == line.endIndex)
            i = j
        }
        return cuts
    }

    /// Whether `line` may be shown without its first `length` bytes: they end with a
    /// space or a tab (or a `path:` before a line number), and what remains starts with
    /// something other than a space, and not with a time (which stays with its date).
    static func isCut<Line: RandomAccessCollection<UInt8>>(_ line: Line, at length: Int) -> Bool where Line.Index == Int {
        // An indented block (an example in a manual, a traceback's frames) keeps its shape.
        guard length > 1, length < line.count, line.first != 0x20, line.first != 0x09 else { return false }
        let before = line[line.startIndex + length - 1]
        let after = line[line.startIndex + length]
        guard after != 0x20, after != 0x09, after != 0x0D else { return false }
        if before == 0x20 || before == 0x09 { return !startsWithTime(line, at: line.startIndex + length) }
        // `Lib/a.py:` then `12: ...`, but never inside a time (`10:42:07`).
        let beforeColon = line[line.startIndex + length - 2]
        return before == 0x3A && ByteLines.isDigit(after) && !ByteLines.isDigit(beforeColon) && beforeColon != 0x20
    }

    /// `10:42`, `09:49:10`: the time of a date the prefix would end with.
    static func startsWithTime<Line: RandomAccessCollection<UInt8>>(_ line: Line, at start: Int) -> Bool where Line.Index == Int {
        guard start + 5 <= line.endIndex else { return false }
        return ByteLines.isDigit(line[start]) && ByteLines.isDigit(line[start + 1]) && line[start + 2] == 0x3A
            && ByteLines.isDigit(line[start + 3]) && ByteLines.isDigit(line[start + 4])
    }

    static func commonPrefixLength<Line: RandomAccessCollection<UInt8>>(_ a: Line, _ b: Line) -> Int where Line.Index == Int {
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

    /// The estimated tokens of the run of one kind of character at `start..<end`, in a BPE
    /// encoding such as o200k: words of up to eight letters, groups of three digits, and
    /// punctuation in pairs count one each; a space before a word and one mark joining
    /// words in a path are free. It errs low, so a fold it allows saves tokens. `last` when
    /// nothing follows the run (a space then counts, a mark joins no word).
    static func chunkTokens<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ start: Int, _ end: Int, last: Bool) -> Int
    where Bytes.Index == Int {
        let length = end - start
        switch characterKind(bytes[start]) {
        case .space:
            return length > 1 || last ? 1 : 0
        case .letter:
            return 1 + (length - 1) / 8
        case .digit:
            return (length + 2) / 3
        case .mark:
            let joins =
                !last && length == 1 && characterKind(bytes[end]) == .letter
                && (bytes[start] == 0x2F || bytes[start] == 0x5F || bytes[start] == 0x2E)
            return joins ? 0 : 1 + (length - 1) / 2
        }
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
    static func unfolded(_ text: String) -> String? {
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
            line.suffix(markerTail.count).elementsEqual(markerTail)
        else { return nil }
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
