/// Splits text into the pieces byte-pair encoding works on, exactly as an encoding's
/// split regex does in tiktoken (Rust `fancy-regex`), with a hand-written scanner.
///
/// Each function below mirrors one alternative of the pattern, tried in order: a regex
/// alternation takes the first alternative that matches, not the longest.
struct PreTokenizer: Sendable {
    enum Pattern: Sendable {
        /// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
        case cl100k
        /// Words as `[^\r\n\p{L}\p{N}]?` + upper-ish letters + lower-ish letters + a contraction,
        /// then `\p{N}{1,3}`, ` ?[^\s\p{L}\p{N}]+[\r\n/]*`, `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`.
        case o200k
    }

    let pattern: Pattern

    /// Where the piece starting at `start` ends (`start < text.count`).
    @inline(__always)
    func pieceEnd(in text: UTF8Text, from start: Int) -> Int {
        switch pattern {
        case .cl100k: return cl100kEnd(text, start)
        case .o200k: return o200kEnd(text, start)
        }
    }

    /// Every piece of a text, for tests and tools; the tokenizer walks `pieceEnd` itself.
    func pieces(_ string: String) -> [String] {
        var string = string
        return string.withUTF8 { buffer in
            let text = UTF8Text(buffer)
            var result: [String] = []
            var start = 0
            while start < text.count {
                let end = pieceEnd(in: text, from: start)
                result.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
                start = end
            }
            return result
        }
    }

    // MARK: cl100k_base

    private func cl100kEnd(_ text: UTF8Text, _ i: Int) -> Int {
        let (c, n) = text.classAt(i)
        // '(?i:[sdmt]|ll|ve|re)
        if text[i] == UInt8(ascii: "'") {
            let end = text.contractionEnd(afterQuoteAt: i)
            if end > i { return end }
        }
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if c.isIn(ScalarClass.letters) { return text.runEnd(from: i + n, in: ScalarClass.letters) }
        if c.isIn(ScalarClass.wordLead) {
            let (next, m) = text.classAt(i + n)
            if next.isIn(ScalarClass.letters) { return text.runEnd(from: i + n + m, in: ScalarClass.letters) }
        }
        // \p{N}{1,3}+
        if c == .number { return text.numberEnd(from: i + n) }
        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        if let end = text.punctuationEnd(from: i, first: c, slashTrails: false) { return end }
        // \s++$ | \s*[\r\n] | \s+(?!\S) | \s
        let run = text.whitespaceRun(from: i)
        if run.end == text.count { return run.end }
        if let newline = run.lastNewline { return newline + 1 }
        return run.scalars >= 2 ? run.lastStart : run.end
    }

    // MARK: o200k_base

    private func o200kEnd(_ text: UTF8Text, _ i: Int) -> Int {
        let (c, n) = text.classAt(i)
        // The two word alternatives, each first with its optional lead taken (greedy `?`), then without.
        if c.isIn(ScalarClass.wordLead), let end = text.lowerWordEnd(from: i + n) { return end }
        if c.isIn(ScalarClass.upperish | ScalarClass.lowerish), let end = text.lowerWordEnd(from: i) { return end }
        if c.isIn(ScalarClass.wordLead), let end = text.upperWordEnd(from: i + n) { return end }
        if c.isIn(ScalarClass.upperish), let end = text.upperWordEnd(from: i) { return end }
        // \p{N}{1,3}
        if c == .number { return text.numberEnd(from: i + n) }
        // ' ?[^\s\p{L}\p{N}]+[\r\n/]*': slashes right after the run are in the run already,
        // but a newline may be followed by more slashes ("});\n//").
        if let end = text.punctuationEnd(from: i, first: c, slashTrails: true) { return end }
        // \s*[\r\n]+ | \s+(?!\S) | \s+
        let run = text.whitespaceRun(from: i)
        if let newline = run.lastNewline { return newline + 1 }
        if run.end == text.count { return run.end }
        return run.scalars >= 2 ? run.lastStart : run.end
    }
}

/// Valid UTF-8 (a Swift string's bytes) with the scanning steps the patterns share.
struct UTF8Text {
    let base: UnsafePointer<UInt8>
    let count: Int
    /// `ScalarClassTable.basic`, read once rather than through its lazy accessor per scalar.
    let classes: UnsafePointer<ScalarClass>

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have no base address; nothing is ever read from it then.
        base = buffer.baseAddress ?? UTF8Text.emptyBase
        count = buffer.count
        classes = ScalarClassTable.basic
    }

    nonisolated(unsafe) private static let emptyBase = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))

    @inline(__always) subscript(_ i: Int) -> UInt8 { i < count ? base[i] : 0 }

    /// The class and UTF-8 length of the scalar at `i`, or `.end` past the text.
    @inline(__always)
    func classAt(_ i: Int) -> (ScalarClass, Int) {
        guard i < count else { return (.end, 0) }
        let b0 = base[i]
        if b0 < 0x80 { return (classes[Int(b0)], 1) }
        if b0 < 0xE0 {
            let value = (UInt32(b0 & 0x1F) << 6) | UInt32(base[i + 1] & 0x3F)
            return (classes[Int(value)], 2)
        }
        if b0 < 0xF0 {
            let value = (UInt32(b0 & 0x0F) << 12) | (UInt32(base[i + 1] & 0x3F) << 6) | UInt32(base[i + 2] & 0x3F)
            return (classes[Int(value)], 3)
        }
        let value =
            (UInt32(b0 & 0x07) << 18) | (UInt32(base[i + 1] & 0x3F) << 12)
            | (UInt32(base[i + 2] & 0x3F) << 6) | UInt32(base[i + 3] & 0x3F)
        return (Unicode.Scalar(value).map(ScalarClass.of) ?? .other, 4)
    }

    /// End of the run of scalars in `set` starting at `i`.
    @inline(__always)
    func runEnd(from i: Int, in set: UInt16) -> Int {
        var j = i
        while true {
            let (c, n) = classAt(j)
            guard c.isIn(set) else { return j }
            j += n
        }
    }

    /// `\p{N}{1,3}` after its first number, which ends at `i`.
    @inline(__always)
    func numberEnd(from i: Int) -> Int {
        var j = i
        for _ in 0..<2 {
            let (c, n) = classAt(j)
            guard c == .number else { break }
            j += n
        }
        return j
    }

    /// ` ?[^\s\p{L}\p{N}]+[\r\n]*` (or `[\r\n/]*` when `slashTrails`), or nil when it
    /// doesn't match at `i`.
    @inline(__always)
    func punctuationEnd(from i: Int, first: ScalarClass, slashTrails: Bool) -> Int? {
        var j = i
        if base[i] == UInt8(ascii: " ") {
            guard classAt(i + 1).0.isIn(ScalarClass.punctuation) else { return nil }
            j = i + 1
        } else if !first.isIn(ScalarClass.punctuation) {
            return nil
        }
        j = runEnd(from: j, in: ScalarClass.punctuation)
        while j < count, base[j] == 0x0D || base[j] == 0x0A || (slashTrails && base[j] == UInt8(ascii: "/")) { j += 1 }
        return j
    }

    struct WhitespaceRun {
        var end: Int
        /// Byte offset of the last `\r` or `\n` in the run.
        var lastNewline: Int?
        /// Byte offset of the run's last scalar.
        var lastStart: Int
        var scalars: Int
    }

    /// The maximal run of `\s` starting at `i`, which must be whitespace.
    @inline(__always)
    func whitespaceRun(from i: Int) -> WhitespaceRun {
        var run = WhitespaceRun(end: i, lastNewline: nil, lastStart: i, scalars: 0)
        while true {
            let (c, n) = classAt(run.end)
            if c == .space {
            } else if c == .newline {
                run.lastNewline = run.end
            } else {
                return run
            }
            run.lastStart = run.end
            run.end += n
            run.scalars += 1
        }
    }

    /// o200k's first word alternative from `s` (after any lead):
    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` then a contraction.
    /// The greedy `*` gives back scalars until the `+` can match: either a lowercase letter
    /// follows the upper-ish run (then the lower-ish run goes on from there), or the match
    /// ends after the run's last scalar that is lower-ish too (Lm, Lo, M).
    @inline(__always)
    func lowerWordEnd(from s: Int) -> Int? {
        var j = s
        var lastLowerishEnd = -1
        while true {
            let (c, n) = classAt(j)
            guard c.isIn(ScalarClass.upperish) else {
                if c == .lower { return contractionEnd(runEnd(from: j + n, in: ScalarClass.lowerish)) }
                break
            }
            j += n
            if c.isIn(ScalarClass.lowerish) { lastLowerishEnd = j }
        }
        return lastLowerishEnd >= 0 ? contractionEnd(lastLowerishEnd) : nil
    }

    /// o200k's second word alternative from `s`:
    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` then a contraction.
    @inline(__always)
    func upperWordEnd(from s: Int) -> Int? {
        let j = runEnd(from: s, in: ScalarClass.upperish)
        guard j > s else { return nil }
        let (c, n) = classAt(j)
        return contractionEnd(c == .lower ? runEnd(from: j + n, in: ScalarClass.lowerish) : j)
    }

    /// After `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `j`.
    @inline(__always)
    func contractionEnd(_ j: Int) -> Int {
        guard self[j] == UInt8(ascii: "'") else { return j }
        let end = contractionEnd(afterQuoteAt: j)
        return end > j ? end : j
    }

    /// The end of a case-insensitive contraction after the quote at `q`, or `q` if none.
    /// `| 0x20` folds only `A-Z` onto `a-z` here, since only letters are compared against.
    /// Case folding is Unicode's: `s` also matches U+017F LATIN SMALL LETTER LONG S (C5 BF).
    @inline(__always)
    func contractionEnd(afterQuoteAt q: Int) -> Int {
        switch self[q + 1] | 0x20 {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return q + 2
        case UInt8(ascii: "l"):
            return self[q + 2] | 0x20 == UInt8(ascii: "l") ? q + 3 : q
        case UInt8(ascii: "v"), UInt8(ascii: "r"):
            return self[q + 2] | 0x20 == UInt8(ascii: "e") ? q + 3 : q
        default:
            return self[q + 1] == 0xC5 && self[q + 2] == 0xBF ? q + 3 : q
        }
    }
}

/// Scalar classes of the basic plane in memory that lives as long as the process.
enum ScalarClassTable {
    nonisolated(unsafe) static let basic: UnsafePointer<ScalarClass> = {
        let table = UnsafeMutablePointer<ScalarClass>.allocate(capacity: 0x1_0000)
        for value in 0..<0x1_0000 {
            table[value] = Unicode.Scalar(UInt32(value)).map(ScalarClass.of) ?? .other
        }
        return UnsafePointer(table)
    }()
}
