/// Finds the words in a line or sentence that carry a fact a summary must keep: ids and
/// codes (`DSP-1033`, `malachite-47`, `E2531K`), hashes, versions, URLs, emails, paths,
/// identifiers (`CamelCase`, `snake_case`), non-trivial numbers and quoted literals.
///
/// Deterministic and linear: one pass over the UTF-8 bytes, no regular expressions, no
/// hashing with per-process seeds.
public enum FactDetector {
    /// What a fact is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A code or id mixing letters and digits: `DSP-1033`, `gh-112053`, `E2531K`, `x86_64`.
        case code
        /// Hexadecimal digest or commit id of 7 or more digits: `51724f363d`.
        case hash
        /// A dotted version: `3.11.7`, `v2.0`.
        case version
        case url
        case email
        /// A file path or file name: `/var/log/auth.log`, `Lib/poplib.py`, `setup.cfg`.
        case path
        /// A programming identifier: `CamelCase`, `mixedCase`, `snake_case`, `a.dotted.name`.
        case identifier
        /// An all-capitals word of two or more letters: `NRL`, `HTTP`.
        case acronym
        /// A number of two or more digits, a decimal, a hex literal or an IP address.
        case number
        /// A short literal in backticks or double quotes.
        case quoted
        /// A date or time of day. Carries little on its own: every log line has one.
        case timestamp

        /// Whether the fact alone makes a line worth keeping: an id, code, hash,
        /// version, URL or email. Names a summary must never lose.
        public var isStrong: Bool {
            switch self {
            case .code, .hash, .version, .url, .email: return true
            default: return false
            }
        }

        /// Whether the fact makes a sentence worth keeping: every kind but timestamps.
        public var isWorthASentence: Bool { self != .timestamp }
    }

    /// One fact found in a text.
    public struct Fact: Sendable, Hashable {
        public var kind: Kind
        public var text: String

        public init(kind: Kind, text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// Every fact in `text`, in order of appearance. A whole word that is a URL, email or
    /// path is reported once, followed by the codes and ids inside it.
    public static func facts(in text: String) -> [Fact] {
        var result: [Fact] = []
        var text = text
        text.withUTF8 { buffer in
            scan(buffer, 0..<buffer.count) { kind, range in
                let slice = UnsafeBufferPointer(rebasing: buffer[range])
                result.append(Fact(kind: kind, text: String(decoding: slice, as: UTF8.self)))
            }
        }
        return result
    }

    /// Calls `body` with each fact's kind and byte range in `bytes[range]`.
    public static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ body: (Kind, Range<Int>) -> Void
    ) {
        scanQuoted(bytes, range, body)
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            while index < end, isSpace(bytes[index]) { index += 1 }
            let start = index
            while index < end, !isSpace(bytes[index]) { index += 1 }
            if start < index { scanWord(bytes, start..<index, body) }
        }
    }

    // MARK: - Words

    /// A whitespace-delimited word: a URL, email or path as a whole, then its atoms.
    private static func scanWord(
        _ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>, _ body: (Kind, Range<Int>) -> Void
    ) {
        let trimmed = trim(bytes, word, edges: isWordEdgePunctuation)
        guard !trimmed.isEmpty else { return }
        if isTimestamp(bytes, trimmed) {
            body(.timestamp, trimmed)
            return
        }
        // URLs, emails and paths need a `/`, `@` or `.`; most words have none.
        var mayBeWhole = false
        for i in trimmed where bytes[i] == UInt8(ascii: "/") || bytes[i] == UInt8(ascii: "@") || bytes[i] == UInt8(ascii: ".") {
            mayBeWhole = true
            break
        }
        if mayBeWhole, let kind = wholeWordKind(bytes, trimmed) {
            body(kind, trimmed)
            if kind == .url { return }
        }
        var index = trimmed.lowerBound
        while index < trimmed.upperBound {
            while index < trimmed.upperBound, !isAtomByte(bytes[index]) { index += 1 }
            let start = index
            // Plain lowercase words, most of any text, are never facts: skip them cheaply.
            var plain = true
            while index < trimmed.upperBound, isAtomByte(bytes[index]) {
                if !isLower(bytes[index]) { plain = false }
                index += 1
            }
            if plain { continue }
            let atom = trim(bytes, start..<index, edges: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
            if !atom.isEmpty, let kind = atomKind(bytes, atom) { body(kind, atom) }
        }
    }

    private static func wholeWordKind(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Kind? {
        var slash = 0, at = -1, colonSlashSlash = false, letters = 0
        var index = word.lowerBound
        while index < word.upperBound {
            let b = bytes[index]
            if b == UInt8(ascii: "/") {
                slash += 1
                if index >= word.lowerBound + 3, bytes[index - 1] == UInt8(ascii: "/"), bytes[index - 2] == UInt8(ascii: ":") {
                    colonSlashSlash = true
                }
            } else if b == UInt8(ascii: "@") {
                at = index
            } else if isLetter(b) {
                letters += 1
            }
            index += 1
        }
        if colonSlashSlash { return .url }
        if at > word.lowerBound, at < word.upperBound - 3 {
            var dot = false
            for i in (at + 1)..<word.upperBound where bytes[i] == UInt8(ascii: ".") { dot = true }
            if dot { return .email }
        }
        guard letters > 0 else { return nil }
        if slash > 0 {
            let first = bytes[word.lowerBound]
            if first == UInt8(ascii: "/") || first == UInt8(ascii: "~") || first == UInt8(ascii: ".") || slash >= 2
                || hasExtension(bytes, word)
            {
                return .path
            }
            return nil
        }
        return isFileName(bytes, word) ? .path : nil
    }

    /// `name.ext` with a short alphanumeric extension containing a letter.
    private static func hasExtension(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Bool {
        var index = word.upperBound - 1
        var length = 0, letter = false
        while index > word.lowerBound {
            let b = bytes[index]
            if b == UInt8(ascii: ".") { return length >= 1 && length <= 5 && letter && index > word.lowerBound }
            guard isAlnum(b) else { return false }
            if isLetter(b) { letter = true }
            length += 1
            index -= 1
        }
        return false
    }

    /// A name with a file extension we know (`setup.cfg`, `poplib.py`): without one,
    /// `os.path` or `self.sock` would count as files.
    private static func isFileName(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Bool {
        var dot = word.upperBound - 1
        while dot > word.lowerBound, bytes[dot] != UInt8(ascii: ".") { dot -= 1 }
        guard dot > word.lowerBound, dot < word.upperBound - 1 else { return false }
        for i in word.lowerBound..<dot where !isAtomByte(bytes[i]) { return false }
        return fileExtensions.contains(bytes, (dot + 1)..<word.upperBound)
    }

    private static let fileExtensions = WordSet([
        "py", "pyc", "pyi", "txt", "md", "rst", "json", "jsonl", "log", "conf", "cfg", "ini", "yaml", "yml", "toml",
        "c", "h", "cc", "cpp", "hpp", "swift", "js", "mjs", "ts", "tsx", "jsx", "go", "rs", "java", "kt", "rb",
        "php", "pl", "sh", "bash", "zsh", "html", "htm", "css", "xml", "csv", "tsv", "sql", "db", "gz", "bz2", "xz",
        "zip", "tar", "tgz", "so", "dll", "exe", "pem", "crt", "service", "socket", "timer",
        "local", "png", "jpg", "jpeg", "gif", "svg", "pdf", "mk", "cmake", "gradle",
    ])

    // MARK: - Atoms

    /// Classifies a run of letters, digits, `_`, `-` and `.`.
    private static func atomKind(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Kind? {
        var upper = 0, lower = 0, digits = 0, dots = 0, hyphens = 0, underscores = 0, other = 0
        var hexLetters = 0, hexUpper = 0, hexLower = 0
        var lowerThenUpper = false, previousLower = false
        var digitSegment = false, segmentAllDigits = true, segmentLength = 0
        var maxDotPart = 0, dotPart = 0
        for i in atom {
            let b = bytes[i]
            if isDigit(b) {
                digits += 1; segmentLength += 1; dotPart += 1
                previousLower = false
                continue
            }
            if b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") {
                if segmentLength > 0, segmentAllDigits { digitSegment = true }
                segmentAllDigits = true; segmentLength = 0
                if b == UInt8(ascii: "-") { hyphens += 1 } else if b == UInt8(ascii: "_") { underscores += 1 } else {
                    dots += 1; maxDotPart = max(maxDotPart, dotPart); dotPart = 0
                }
                previousLower = false
                continue
            }
            segmentAllDigits = false; segmentLength += 1; dotPart += 1
            if isUpper(b) {
                upper += 1
                if previousLower { lowerThenUpper = true }
                previousLower = false
                if b <= UInt8(ascii: "F") { hexLetters += 1; hexUpper += 1 }
            } else if isLower(b) {
                lower += 1
                previousLower = true
                if b <= UInt8(ascii: "f") { hexLetters += 1; hexLower += 1 }
            } else {
                other += 1
                previousLower = false
            }
        }
        if segmentLength > 0, segmentAllDigits, hyphens + underscores + dots > 0 { digitSegment = true }
        maxDotPart = max(maxDotPart, dotPart)
        let length = atom.count
        let letters = upper + lower + other

        if letters == 0 {
            if digits == 0 { return nil }
            if hyphens > 0 || underscores > 0 {
                return isDate(bytes, atom) ? .timestamp : nil
            }
            if dots == 0 { return digits >= 2 ? .number : nil }
            if dots == 1 { return .number }
            if dots == 3, maxDotPart <= 3 { return .number }  // an IPv4 address
            return .version
        }
        if digits == 0 {
            if underscores > 0, letters >= 2 { return .identifier }
            if lowerThenUpper { return .identifier }
            if dots > 0, lower > 0, underscores == 0, hyphens == 0, upper + lower >= 4, dots < letters / 2 {
                // `os.path.join`, `test.test_poplib`: dotted names, not `e.g` or `U.S`.
                return hasIdentifierDots(bytes, atom) ? .identifier : nil
            }
            if upper >= 2, lower == 0, other == 0, hyphens == 0 { return .acronym }
            return nil
        }
        // Letters and digits together from here on.
        if isDate(bytes, atom) { return .timestamp }
        let first = bytes[atom.lowerBound]
        if first == UInt8(ascii: "0"), length > 2, bytes[atom.lowerBound + 1] | 0x20 == UInt8(ascii: "x") {
            return .number
        }
        if dots == 0, hyphens == 0, underscores == 0, length >= 7, other == 0,
            hexLetters == upper + lower, hexUpper == 0 || hexLower == 0
        {
            return .hash
        }
        if dots >= 1, hyphens == 0, underscores == 0,
            isDigit(first) || ((first == UInt8(ascii: "v") || first == UInt8(ascii: "V")) && length > 1 && isDigit(bytes[atom.lowerBound + 1]))
        {
            return .version
        }
        if isDigit(first), isNumberWithUnit(bytes, atom) { return .number }
        if digitSegment || digits >= 2 { return .code }
        if upper > 0, lower == 0, other == 0, length >= 3 { return .code }
        if underscores > 0 || lowerThenUpper { return .identifier }
        return nil
    }

    /// `10th`, `100ms`, `3D`, `16GB`: a number with a unit, not a code.
    private static func isNumberWithUnit(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Bool {
        var index = atom.lowerBound
        while index < atom.upperBound, isDigit(bytes[index]) { index += 1 }
        let unit = atom.upperBound - index
        guard unit >= 1, unit <= 3 else { return false }
        var allLower = true, allUpper = true
        for i in index..<atom.upperBound {
            let b = bytes[i]
            if !isLower(b) { allLower = false }
            if !isUpper(b) { allUpper = false }
        }
        if allLower { return true }
        guard allUpper else {
            // `Hz`, `Mb`, `Gb`: capital then lowercase.
            return unit == 2 && isUpper(bytes[index]) && isLower(bytes[index + 1])
        }
        if unit == 1 { return bytes[index] == UInt8(ascii: "D") || bytes[index] == UInt8(ascii: "K") || bytes[index] == UInt8(ascii: "M") || bytes[index] == UInt8(ascii: "G") }
        return unit == 2 && bytes[index + 1] == UInt8(ascii: "B")
    }

    /// `2025-09-28`, `2025-09-28T07:07:11.8223132Z` (atoms stop at `:`, so the date part
    /// starts the atom).
    private static func isDate(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Bool {
        let s = atom.lowerBound
        guard atom.count >= 10 else { return false }
        for i in 0..<10 {
            let b = bytes[s + i]
            if i == 4 || i == 7 {
                if b != UInt8(ascii: "-") { return false }
            } else if !isDigit(b) {
                return false
            }
        }
        return atom.count == 10 || bytes[s + 10] == UInt8(ascii: "T") || bytes[s + 10] == UInt8(ascii: "_")
    }

    /// A whole word that is a date, a date and time (`2025-09-28T07:07:11.8223132Z`), or a
    /// time of day (`08:54:21`, `07:07:11.882`, `0:00:00`).
    private static func isTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Bool {
        if isDate(bytes, word) {
            for i in word where !(isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ":")
                || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "Z")
                || bytes[i] == UInt8(ascii: "+"))
            {
                return false
            }
            return true
        }
        var colons = 0, digitsInGroup = 0
        for i in word {
            let b = bytes[i]
            if isDigit(b) {
                digitsInGroup += 1
                if digitsInGroup > 2, colons < 2 { return false }
            } else if b == UInt8(ascii: ":") {
                guard digitsInGroup >= 1, digitsInGroup <= 2 else { return false }
                colons += 1
                digitsInGroup = 0
            } else if b == UInt8(ascii: "."), colons == 2 {
                digitsInGroup = 0
            } else {
                return false
            }
        }
        return colons >= 1 && digitsInGroup >= 1
    }

    /// Dotted names whose parts are two or more characters: `os.path`, not `e.g`.
    private static func hasIdentifierDots(_ bytes: UnsafeBufferPointer<UInt8>, _ atom: Range<Int>) -> Bool {
        var part = 0
        for i in atom {
            if bytes[i] == UInt8(ascii: ".") {
                if part < 2 { return false }
                part = 0
            } else {
                part += 1
            }
        }
        return part >= 2
    }

    // MARK: - Quoted literals

    /// Backtick spans and double-quoted strings of 1 to 80 bytes on one line.
    private static func scanQuoted(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ body: (Kind, Range<Int>) -> Void
    ) {
        var index = range.lowerBound
        while index < range.upperBound {
            let b = bytes[index]
            guard b == UInt8(ascii: "`") || b == UInt8(ascii: "\"") else { index += 1; continue }
            var close = index + 1
            while close < range.upperBound, close - index <= 81, bytes[close] != b, bytes[close] != 0x0A { close += 1 }
            if close < range.upperBound, bytes[close] == b, close - index >= 2, close - index <= 81 {
                body(.quoted, (index + 1)..<close)
                index = close + 1
            } else {
                index += 1
            }
        }
    }

    // MARK: - Bytes

    private static func trim(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, edges: (UInt8) -> Bool
    ) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, edges(bytes[lower]) { lower += 1 }
        while upper > lower, edges(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private static func isWordEdgePunctuation(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: ":"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"), UInt8(ascii: "."),
            UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: "*"):
            return true
        default:
            return false
        }
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) || b >= 0x80 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isUpper(b) || isLower(b) }
    /// Letters, digits, `_`, `-`, `.` and any non-ASCII byte (names in other scripts).
    @inline(__always) static func isAtomByte(_ b: UInt8) -> Bool {
        isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b >= 0x80
    }
}
