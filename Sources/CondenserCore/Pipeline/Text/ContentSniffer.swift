import Synchronization

/// A cheap, deterministic guess at what a block of text is, so stages know whether
/// spacing and repetition in it carry meaning (source code, listings, diffs) or not
/// (prose, logs, command output).
///
/// Looks at no more than the first 200 lines; a guess, never a parse.
enum ContentSniffer {
    enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Program source or configuration (Python, C, Swift, INI, TOML, YAML).
        case sourceCode
        /// A file listing with line-number prefixes (`  12\t...`, as `cat -n` prints, or
        /// `  12→...`, as coding agents print a file they read).
        case numberedListing
        /// A unified diff.
        case diff
        /// A JSON document.
        case json
        /// An HTML document or a large HTML fragment.
        case html
        /// Log lines, most of them starting with a date or a time.
        case log
        /// Sentences and paragraphs.
        case prose
        /// Anything else, command output mostly.
        case mixed

        /// Whether spacing inside lines and runs of repeated lines may carry meaning.
        var isVerbatim: Bool {
            switch self {
            case .sourceCode, .numberedListing, .diff, .json: true
            case .html, .log, .prose, .mixed: false
            }
        }
    }

    /// The kind of `text`.
    static func kind(of text: String) -> Kind {
        let bytes = Array(text.utf8)
        return kind(of: bytes, lines: ByteLines.split(bytes))
    }

    static let sampleLines = 200

    /// The kind of `bytes`, cut into `lines` (only the first `sampleLines` are read).
    ///
    /// The last few answers are remembered by a hash of both: the stages ask one after
    /// another about the same block (each stage that leaves it unchanged asks again), and
    /// hashing what the guess reads is far cheaper than guessing. Only a few, so a block
    /// met again in a later request is guessed again like any new one.
    static func kind(of bytes: [UInt8], lines: [Range<Int>]) -> Kind {
        let key = bytes.withUnsafeBytes { StableHash(bytes: $0) }
            .combined(with: lines.prefix(sampleLines).withUnsafeBytes { StableHash(bytes: $0) })
        if let kind = lastKinds.withLock({ $0.kind(for: key) }) { return kind }
        let kind = guess(bytes, lines: lines)
        lastKinds.withLock { $0.insert(kind, for: key) }
        return kind
    }

    /// The last answers, oldest replaced first: enough for the blocks all cores work on.
    private struct LastKinds {
        static let count = 8
        var keys = [StableHash?](repeating: nil, count: count)
        var kinds = [Kind](repeating: .mixed, count: count)
        var next = 0

        func kind(for key: StableHash) -> Kind? {
            keys.firstIndex(of: key).map { kinds[$0] }
        }

        mutating func insert(_ kind: Kind, for key: StableHash) {
            keys[next] = key
            kinds[next] = kind
            next = (next + 1) % Self.count
        }
    }

    private static let lastKinds = Mutex(LastKinds())

    private static func guess(_ bytes: [UInt8], lines: [Range<Int>]) -> Kind {
        if looksLikeJSON(bytes) { return .json }
        if looksLikeHTML(bytes) { return .html }

        // The start of a line tells its kind; very long lines are not read to the end.
        let sample = lines.prefix(sampleLines)
        func head(_ range: Range<Int>) -> ArraySlice<UInt8> {
            bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + 240)]
        }
        var nonBlank = 0
        var diffLines = 0
        var hunkHeaders = 0
        var fileHeaders = 0
        var numbered = 0
        var logLines = 0
        var indented = 0
        for range in sample {
            let line = head(range)
            if ByteLines.isBlank(line) { continue }
            nonBlank += 1
            if isDiffLine(line) { diffLines += 1 }
            if ByteLines.hasPrefix(line, "@@ -") { hunkHeaders += 1 }
            if ByteLines.hasPrefix(line, "+++ ") || ByteLines.hasPrefix(line, "diff --git ") { fileHeaders += 1 }
            if isNumberedLine(line) { numbered += 1 }
            // Timestamped lines, and test results: a test listing reads like sentences, one
            // per test, but it is output, as a log is.
            if hasEarlyTime(line) || TestResultLine.verdict(line) != nil { logLines += 1 }
            if ByteLines.indentation(line) > 0 { indented += 1 }
        }
        guard nonBlank > 0 else { return .prose }
        if hunkHeaders > 0, fileHeaders > 0, diffLines * 10 >= nonBlank * 8 { return .diff }
        if numbered * 10 >= nonBlank * 7 { return .numberedListing }
        if logLines * 2 >= nonBlank { return .log }

        // Code and sentences, the costly tests, line by line until the counts so far settle
        // the kind: code only grows, and the lines left bound what either count can reach.
        var code = 0
        var sentences = 0
        var left = nonBlank
        func isSource() -> Bool {
            // Code is indented; a flat list of `key = value` lines is configuration, also verbatim.
            code * 2 >= nonBlank && (nonBlank >= 2 || code == nonBlank) && (indented > 0 || code * 10 >= nonBlank * 7)
        }
        for range in sample {
            let line = head(range)
            if ByteLines.isBlank(line) { continue }
            left -= 1
            let content = ByteLines.trimmed(line)
            if isCodeLine(content) { code += 1 } else if isSentenceLine(content) { sentences += 1 }
            if isSource() { return .sourceCode }
            if (code + left) * 2 < nonBlank, (sentences + left) * 2 < nonBlank { return .mixed }
        }
        if sentences * 2 >= nonBlank, code * 5 < nonBlank { return .prose }
        return .mixed
    }

    static func looksLikeHTML(_ bytes: [UInt8]) -> Bool {
        // `<!DOCTYPE html` or `<html` at the start of one of the first lines.
        let head = bytes.prefix(512)
        if let start = ByteLines.firstIndexCaseInsensitive(head, "<!doctype html"), atLineStart(bytes, start) {
            return true
        }
        if let start = ByteLines.firstIndexCaseInsensitive(head, "<html"), start + 5 < bytes.count,
            atLineStart(bytes, start)
        {
            let next = bytes[start + 5]
            if next == 0x3E || next == 0x20 || next == 0x0A { return true }
        }
        // A large fragment: starts with a tag, and tags make up much of the text.
        guard bytes.count >= 2000, let first = bytes.firstIndex(where: { $0 > 0x20 }), bytes[first] == 0x3C else {
            return false
        }
        var closing = 0
        var angle = 0
        for i in 0..<(bytes.count - 1) where bytes[i] == 0x3C {
            angle += 1
            if bytes[i + 1] == 0x2F { closing += 1 }
        }
        return closing >= 20 && angle * 40 >= bytes.count
    }

    private static func atLineStart(_ bytes: [UInt8], _ index: Int) -> Bool {
        var i = index
        while i > 0, bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 { i -= 1 }
        return i == 0 || bytes[i - 1] == 0x0A
    }

    static func looksLikeJSON(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) }), last > first
        else { return false }
        switch (bytes[first], bytes[last]) {
        case (0x7B, 0x7D):
            // `{` then a key or `}`: rules out `{% template %}` and code blocks.
            guard let next = bytes[(first + 1)...].firstIndex(where: { !isSpace($0) }) else { return false }
            return bytes[next] == 0x22 || bytes[next] == 0x7D
        case (0x5B, 0x5D):
            guard let next = bytes[(first + 1)...].firstIndex(where: { !isSpace($0) }) else { return false }
            let b = bytes[next]
            return b == 0x7B || b == 0x5B || b == 0x22 || b == 0x5D || b == 0x2D || ByteLines.isDigit(b)
                || b == 0x74 || b == 0x66 || b == 0x6E
        default:
            return false
        }
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    static func isDiffLine(_ line: ArraySlice<UInt8>) -> Bool {
        guard let first = line.first else { return true }
        switch first {
        case 0x20, 0x2B, 0x2D, 0x40, 0x5C: return true // ' ' '+' '-' '@' '\ No newline'
        default:
            return ByteLines.hasPrefix(line, "diff ") || ByteLines.hasPrefix(line, "index ")
                || ByteLines.hasPrefix(line, "new file") || ByteLines.hasPrefix(line, "deleted file")
                || ByteLines.hasPrefix(line, "similarity") || ByteLines.hasPrefix(line, "rename ")
                || ByteLines.hasPrefix(line, "old mode") || ByteLines.hasPrefix(line, "new mode")
                || ByteLines.hasPrefix(line, "[exit status")
        }
    }

    /// `  12\tcode`, `  12→code`, `12: code`, `  12 | code`, `  12│code`.
    static func isNumberedLine(_ line: ArraySlice<UInt8>) -> Bool {
        var i = line.startIndex
        while i < line.endIndex, line[i] == 0x20 { i += 1 }
        let digits = i
        while i < line.endIndex, ByteLines.isDigit(line[i]) { i += 1 }
        guard i > digits, i - digits <= 7 else { return false }
        guard i < line.endIndex else { return true }
        switch line[i] {
        case 0x09: return true
        case 0x3A: return i + 1 == line.endIndex || line[i + 1] == 0x20
        case 0x20:
            let rest = line[(i + 1)...].prefix(3)
            return rest.first == 0x7C || ByteLines.hasPrefix(rest, "│")
        default: return ByteLines.hasPrefix(line[i...], "│") || ByteLines.hasPrefix(line[i...], "→")
        }
    }

    /// The width of a listing's gutter, the number and the separator after it: `  12\t`
    /// (`cat -n`) or `  12→` (an agent's file read); 0 for any other line.
    static func gutterWidth(_ line: ArraySlice<UInt8>) -> Int {
        var i = line.startIndex
        while i < line.endIndex, line[i] == 0x20 { i += 1 }
        let digits = i
        while i < line.endIndex, ByteLines.isDigit(line[i]) { i += 1 }
        guard i > digits, i - digits <= 7, i < line.endIndex else { return 0 }
        if line[i] == 0x09 { return i + 1 - line.startIndex }
        return isArrow(line, at: i) ? i + 3 - line.startIndex : 0
    }

    /// Whether `line` holds `→` (U+2192, three bytes) at `index`.
    static func isArrow<Line: RandomAccessCollection<UInt8>>(_ line: Line, at index: Int) -> Bool where Line.Index == Int {
        index + 3 <= line.endIndex && line[index] == 0xE2 && line[index + 1] == 0x86 && line[index + 2] == 0x92
    }

    /// A `12:34:56` time in the first 64 bytes of the line.
    static func hasEarlyTime(_ line: ArraySlice<UInt8>) -> Bool {
        line.prefix(64).withUnsafeBufferPointer { head in
            guard head.count >= 8 else { return false }
            for i in 0..<(head.count - 7) where head[i + 2] == 0x3A && head[i + 5] == 0x3A {
                if ByteLines.isDigit(head[i]), ByteLines.isDigit(head[i + 1]),
                    ByteLines.isDigit(head[i + 3]), ByteLines.isDigit(head[i + 4]),
                    ByteLines.isDigit(head[i + 6]), ByteLines.isDigit(head[i + 7])
                {
                    return true
                }
            }
            return false
        }
    }

    static let codeStarts: [StaticString] = [
        "def ", "class ", "import ", "from ", "return", "if ", "elif ", "else:", "else {", "for ", "while ",
        "try:", "except", "finally:", "with ", "raise ", "yield", "async ", "await ", "lambda", "assert ",
        "#include", "#define", "#if", "#endif", "func ", "let ", "var ", "const ", "function ", "public ",
        "private ", "static ", "struct ", "enum ", "fn ", "pub ", "use ", "package ", "namespace ", "typedef ",
        "case ", "switch ", "@", "}", "{", "//", "/*", "*/", "\"\"\"", "'''", "</", "<",
    ]

    /// The first bytes of `codeStarts`: most lines start with none of them.
    static let codeStartBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for start in codeStarts { table[Int(start.utf8Start.pointee)] = true }
        return table
    }()

    static func isCodeLine(_ content: ArraySlice<UInt8>) -> Bool {
        guard let first = content.first, let last = content.last else { return false }
        if codeStartBytes[Int(first)] {
            for start in codeStarts where ByteLines.hasPrefix(content, start) { return true }
        }
        switch last {
        case 0x7B, 0x7D, 0x3B, 0x28: // { } ; (
            return true
        case 0x3A, 0x2C: // : ,
            // A sentence may end in ':' or ','; code lines seldom hold many plain words.
            return wordRatio(content) < 0.8 || hasOperator(content)
        case 0x29, 0x5D: // ) ]
            // A call or a subscript (`f(x)`, `a[1]`), not a remark in brackets (`(342 kB)`).
            return hasOperator(content) || hasCallOrSubscript(content)
        default:
            return hasOperator(content)
        }
    }

    static func hasOperator(_ content: ArraySlice<UInt8>) -> Bool {
        content.withUnsafeBufferPointer { bytes in
            guard bytes.count >= 3 else { return false }
            // Every operator's second byte is `=`, `>` or `)`.
            for i in 0..<(bytes.count - 2) {
                let a = bytes[i]
                let b = bytes[i + 1]
                switch b {
                case 0x3D:
                    if a == 0x20, bytes[i + 2] == 0x20 { return true } // " = "
                    if a == 0x3D || a == 0x21 || a == 0x3C || a == 0x3E || a == 0x3A { return true } // == != <= >= :=
                case 0x3E:
                    if a == 0x2D { return true } // ->
                case 0x29:
                    if a == 0x28 { return true } // ()
                default:
                    break
                }
            }
            return false
        }
    }

    static func hasCallOrSubscript(_ content: ArraySlice<UInt8>) -> Bool {
        var i = content.startIndex + 1
        while i < content.endIndex {
            let b = content[i]
            if b == 0x28 || b == 0x5B {
                let before = content[i - 1]
                if ByteLines.isLetter(before) || ByteLines.isDigit(before) || before == 0x5F || before == 0x29 || before == 0x5D {
                    return true
                }
            }
            i += 1
        }
        return false
    }

    /// The share of bytes that are letters or spaces.
    static func wordRatio(_ content: ArraySlice<UInt8>) -> Double {
        guard !content.isEmpty else { return 0 }
        let words = content.withUnsafeBufferPointer { bytes in
            var words = 0
            for b in bytes where ByteLines.isLetter(b) || b == 0x20 || b >= 0x80 { words += 1 }
            return words
        }
        return Double(words) / Double(content.count)
    }

    static func isSentenceLine(_ content: ArraySlice<UInt8>) -> Bool {
        var spaces = 0
        for b in content where b == 0x20 { spaces += 1 }
        return spaces >= 3 && wordRatio(content) >= 0.85
    }
}
