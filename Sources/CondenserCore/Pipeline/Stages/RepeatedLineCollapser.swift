/// Collapses repetition in command output and logs.
///
/// - A run of three or more lines that are the same, or the same except for numbers,
///   timestamps, durations, counters and hex ids, becomes its first line, a marker, and
///   its last line when that differs. Lines differing in anything else (names, paths,
///   ids such as `DSP-1033` or `malachite-47`, IP addresses) are never part of one run.
/// - A warning block (`path:12: DeprecationWarning: ...` and its indented source lines)
///   printed again later in the same output is dropped, and the first copy says how
///   many times it repeated.
///
/// Source code, listings, diffs, JSON and fenced code blocks are left alone, and outside
/// tool results only exact repeats collapse.
struct RepeatedLineCollapser: TextStage {
    let name = "repeats"

    /// Runs shorter than this stay: a marker would barely pay for itself.
    static let minimumRun = 3
    /// Lines after a warning header that belong to its block, at most.
    static let maximumWarningContinuation = 4

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult else {
            // In what people write, times and numbers are the content (a schedule, a
            // table): only exact repeats go.
            return Self.collapse(text, similar: false)
        }
        return JSONWrappedText.applying({ Self.collapse($0, similar: true) }, to: text)
    }

    static func collapse(_ text: String, similar: Bool) -> String {
        let bytes = Array(text.utf8)
        let ranges = ByteLines.split(bytes)
        guard ranges.count >= minimumRun, !ContentSniffer.kind(of: bytes, lines: ranges).isVerbatim else {
            return text
        }
        var lines = ranges.map { bytes[$0] }
        var fenced = fencedLines(lines)
        var changed = false
        if let deduplicated = dropRepeatedWarnings(lines, fenced: fenced) {
            (lines, fenced) = deduplicated
            changed = true
        }
        if let collapsed = collapseRuns(lines, fenced: fenced, similar: similar) {
            lines = collapsed
            changed = true
        }
        return changed ? ByteLines.join(lines) : text
    }

    // MARK: Runs of similar lines

    static func collapseRuns(_ lines: [ArraySlice<UInt8>], fenced: [Bool], similar: Bool) -> [ArraySlice<UInt8>]? {
        // Masking every line is costly; lines can only share a key if they share a signature.
        let signatures = lines.map(signature)
        let keys: [[UInt8]?] = lines.indices.map { i in
            let line = lines[i]
            let similarNeighbour =
                (i > 0 && signatures[i - 1] == signatures[i])
                || (i + 1 < lines.count && signatures[i + 1] == signatures[i])
            guard similarNeighbour, !fenced[i], !ByteLines.isBlank(line), !isMarker(line) else { return nil }
            return maskedKey(line)
        }
        let words: [Bool] = keys.map { key in
            guard let key else { return false }
            // Rows of a table, or lines that are mostly numbers, are data: only exact repeats go.
            var letters = 0
            for b in key where ByteLines.isLetter(b) { letters += 1 }
            return letters >= 8 && key.first != 0x7C
        }
        var out: [ArraySlice<UInt8>] = []
        out.reserveCapacity(lines.count)
        var changed = false
        var i = 0
        while i < lines.count {
            guard let key = keys[i] else {
                out.append(lines[i])
                i += 1
                continue
            }
            var j = i + 1
            while j < lines.count, keys[j] == key { j += 1 }
            let run = j - i
            if run >= minimumRun {
                let first = lines[i]
                let last = lines[j - 1]
                let identical = lines[i..<j].allSatisfy { ByteLines.trimmedTrailing($0).elementsEqual(ByteLines.trimmedTrailing(first)) }
                guard identical || (similar && words[i]) else {
                    out.append(contentsOf: lines[i..<j])
                    i = j
                    continue
                }
                let marker = identical ? Marker.repeatedLine(times: run - 1) : Marker.omittedLines(run - 2, similar: true)
                let omitted = lines[(i + 1)..<(identical ? j : j - 1)].reduce(0) { $0 + $1.count + 1 }
                if omitted > marker.utf8.count + 16 {
                    let indent = first.prefix(ByteLines.indentation(first))
                    out.append(first)
                    out.append(ArraySlice(Array(indent) + Array(marker.utf8)))
                    if !identical { out.append(last) }
                    changed = true
                    i = j
                    continue
                }
            }
            out.append(contentsOf: lines[i..<j])
            i = j
        }
        return changed ? out : nil
    }

    static func isMarker(_ line: ArraySlice<UInt8>) -> Bool {
        let content = ByteLines.trimmed(line)
        return content.first == 0x5B && content.last == 0x5D
            && (ByteLines.hasPrefix(content, "[... ") || ByteLines.hasPrefix(content, "[previous line repeated")
                || ByteLines.hasPrefix(content, "[same warning"))
    }

    /// The line with its changing parts masked: numbers, timestamps, durations and hex
    /// ids become `#`, and runs of spaces one space. Words holding letters (names, paths,
    /// ids like `DSP-1033`) and IP addresses stay as they are.
    static func maskedKey(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(line.count)
        var i = line.startIndex
        let end = line.endIndex
        var lastWasSpace = false
        while i < end {
            let b = line[i]
            if isWordByte(b) {
                var j = i
                while j < end, isWordByte(line[j]) || (isJoiner(line[j]) && j + 1 < end && isWordByte(line[j + 1])) {
                    j += 1
                }
                let word = line[i..<j]
                if isMaskable(word), !followsCodeWord(line, before: i) {
                    if key.last != 0x23 { key.append(0x23) }
                } else {
                    key.append(contentsOf: word)
                }
                lastWasSpace = false
                i = j
                continue
            }
            if b == 0x20 || b == 0x09 {
                if !lastWasSpace { key.append(0x20) }
                lastWasSpace = true
            } else {
                key.append(b)
                lastWasSpace = false
            }
            i += 1
        }
        while key.last == 0x20 || key.last == 0x0D { key.removeLast() }
        return key
    }

    /// A hash of the letters masking never removes (masked words hold only hex digits,
    /// T and Z, and unit letters), with the line's count of them: equal keys imply equal
    /// signatures, so unequal signatures rule a pair out cheaply.
    static func signature(_ line: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in line where signatureBytes[Int(byte)] {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static let signatureBytes: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        guard ByteLines.isLetter(byte) || byte == 0x5F else { return false }
        return !"abcdefghikmnstuxz".utf8.contains(ByteLines.lower(byte))
    }

    static let codeWords: Set<String> = ["code", "error", "errno", "err", "status", "exit", "rc", "returned", "signal"]

    /// Whether the word before `index` names a code (`code=1033`, `exit status 2`, `errno 13`):
    /// such numbers are facts, never masked.
    static func followsCodeWord(_ line: ArraySlice<UInt8>, before index: Int) -> Bool {
        var end = index
        while end > line.startIndex, [0x20, 0x3D, 0x3A, 0x23, 0x28].contains(line[end - 1]) { end -= 1 }
        guard end < index else { return false }
        var start = end
        while start > line.startIndex, ByteLines.isLetter(line[start - 1]) { start -= 1 }
        guard start < end, end - start <= 8 else { return false }
        return codeWords.contains(String(decoding: line[start..<end].map { ByteLines.lower($0) }, as: UTF8.self))
    }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        ByteLines.isDigit(b) || ByteLines.isLetter(b) || b == 0x5F
    }

    /// `-` `.` `:` `/` `+` join the parts of a word: `2025-09-28T07:07:30Z`, `DSP-1033`, `a/b.py`.
    @inline(__always) static func isJoiner(_ b: UInt8) -> Bool {
        b == 0x2D || b == 0x2E || b == 0x3A || b == 0x2F || b == 0x2B
    }

    static let units: Set<String> = [
        "ms", "s", "us", "ns", "m", "h", "d", "sec", "secs", "min", "b", "k", "kb", "mb", "gb", "tb",
        "kib", "mib", "gib", "x", "it", "z", "t",
    ]

    /// Numbers, timestamps, durations (`12ms`, `1.5s`), hex ids (`0x7f3a`, `dce64fb69a`);
    /// not IPv4 addresses nor anything with other letters in it.
    static func isMaskable(_ word: ArraySlice<UInt8>) -> Bool {
        var digits = 0
        var letters = 0
        var dots = 0
        var otherJoiners = 0
        for b in word {
            if ByteLines.isDigit(b) {
                digits += 1
            } else if ByteLines.isLetter(b) || b == 0x5F {
                letters += 1
            } else if b == 0x2E {
                dots += 1
            } else {
                otherJoiners += 1
            }
        }
        guard digits > 0 else { return false }
        if letters == 0 {
            // 192.0.2.1 names a host: a fact, not a counter.
            if dots == 3 && otherJoiners == 0 && word.count <= 15 { return false }
            // Short integers are more often codes and counts (HTTP 500, exit 2) than noise.
            return dots > 0 || otherJoiners > 0 || digits >= 4
        }
        if isHex(word) { return true }
        // Timestamps: digits and joiners with T/Z only.
        if word.allSatisfy({ ByteLines.isDigit($0) || isJoiner($0) || $0 == 0x54 || $0 == 0x5A }) { return true }
        // A number with a unit: 12ms, 1.5s, 53kB, 3x.
        var suffixStart = word.endIndex
        while suffixStart > word.startIndex, ByteLines.isLetter(word[suffixStart - 1]) { suffixStart -= 1 }
        let number = word[word.startIndex..<suffixStart]
        guard !number.isEmpty, number.allSatisfy({ ByteLines.isDigit($0) || $0 == 0x2E || $0 == 0x3A }) else { return false }
        let unit = String(decoding: word[suffixStart...].map { ByteLines.lower($0) }, as: UTF8.self)
        return units.contains(unit)
    }

    static func isHex(_ word: ArraySlice<UInt8>) -> Bool {
        if word.count > 2, word[word.startIndex] == 0x30, ByteLines.lower(word[word.startIndex + 1]) == 0x78 {
            return word.dropFirst(2).allSatisfy { ByteLines.isDigit($0) || ByteLines.isHexLetter($0) }
        }
        guard word.count >= 7 else { return false }
        let lower = word.allSatisfy { ByteLines.isDigit($0) || ($0 >= 0x61 && $0 <= 0x66) }
        let upper = word.allSatisfy { ByteLines.isDigit($0) || ($0 >= 0x41 && $0 <= 0x46) }
        return lower || upper
    }

    // MARK: Repeated warning blocks

    /// Drops later copies of a warning block; nil when there are none.
    static func dropRepeatedWarnings(_ lines: [ArraySlice<UInt8>], fenced: [Bool])
        -> (lines: [ArraySlice<UInt8>], fenced: [Bool])?
    {
        var blocks: [(start: Int, end: Int, key: [UInt8])] = []
        var i = 0
        while i < lines.count {
            guard !fenced[i], isWarningHeader(lines[i]) else {
                i += 1
                continue
            }
            let indent = ByteLines.indentation(lines[i])
            var j = i + 1
            while j < lines.count, j - i <= maximumWarningContinuation, !fenced[j],
                !ByteLines.isBlank(lines[j]), ByteLines.indentation(lines[j]) > indent, !isWarningHeader(lines[j])
            {
                j += 1
            }
            var key: [UInt8] = []
            for line in lines[i..<j] {
                key.append(contentsOf: ByteLines.trimmedTrailing(line))
                key.append(0x0A)
            }
            blocks.append((i, j, key))
            i = j
        }
        guard blocks.count >= 2 else { return nil }
        var firstOf: [[UInt8]: Int] = [:]
        var repeats = [Int](repeating: 0, count: blocks.count)
        var dropped = [Bool](repeating: false, count: blocks.count)
        for (index, block) in blocks.enumerated() {
            if let first = firstOf[block.key] {
                repeats[first] += 1
                dropped[index] = true
            } else {
                firstOf[block.key] = index
            }
        }
        guard dropped.contains(true) else { return nil }
        var out: [ArraySlice<UInt8>] = []
        var outFenced: [Bool] = []
        var line = 0
        for (index, block) in blocks.enumerated() {
            while line < block.start {
                out.append(lines[line])
                outFenced.append(fenced[line])
                line += 1
            }
            if !dropped[index] {
                for k in block.start..<block.end {
                    out.append(lines[k])
                    outFenced.append(fenced[k])
                }
                if repeats[index] > 0 {
                    let indent = lines[block.start].prefix(ByteLines.indentation(lines[block.start]))
                    let times = repeats[index]
                    let note = Marker.note("same warning repeated \(times) more time\(times == 1 ? "" : "s") below; repeats omitted")
                    out.append(ArraySlice(Array(indent) + Array(note.utf8)))
                    // A marker is not content: no run may absorb it.
                    outFenced.append(true)
                }
            }
            line = block.end
        }
        while line < lines.count {
            out.append(lines[line])
            outFenced.append(fenced[line])
            line += 1
        }
        return (out, outFenced)
    }

    /// `path:12: DeprecationWarning: ...`, `file.c:3:7: warning: ...`: a location right
    /// before the warning word, so a log line that merely says "warning:" is not one.
    static func isWarningHeader(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count >= 12, let at = ByteLines.firstIndexCaseInsensitive(line, "warning: ") else { return false }
        var i = at
        while i > line.startIndex, ByteLines.isLetter(line[i - 1]) { i -= 1 }
        guard i - 2 > line.startIndex, line[i - 1] == 0x20, line[i - 2] == 0x3A else { return false }
        var j = i - 2
        let digitsEnd = j
        while j > line.startIndex, ByteLines.isDigit(line[j - 1]) { j -= 1 }
        return j < digitsEnd && j > line.startIndex && line[j - 1] == 0x3A
    }

    /// Lines inside Markdown code fences, which keep their repetition.
    static func fencedLines(_ lines: [ArraySlice<UInt8>]) -> [Bool] {
        var fenced = [Bool](repeating: false, count: lines.count)
        var open: (byte: UInt8, length: Int)?
        for (i, line) in lines.enumerated() {
            let content = ByteLines.trimmed(line)
            let marker = WhitespaceNormalizer.fenceMarker(content)
            if let fence = open {
                fenced[i] = true
                if let marker, marker.byte == fence.byte, marker.length >= fence.length,
                    marker.rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 })
                {
                    open = nil
                }
            } else if let marker {
                fenced[i] = true
                open = (marker.byte, marker.length)
            }
        }
        return fenced
    }
}
