/// Shortens source code to its outline: imports, module-level statements and constants,
/// class and function signatures at any depth (Python, Swift, C, JS/TS, Go, Rust, shell),
/// decorators, each docstring's first line, the first line of each top-level comment
/// block, TODO/FIXME notes and lines holding a rare id
/// or code. Bodies become `[... n lines omitted]`. Line-number prefixes (`  12\t`,
/// `  12→`) stay on the kept lines, so positions remain meaningful.
struct CodeOutline: Sendable {
    var mode: CompressionMode

    init(mode: CompressionMode = .safe) {
        self.mode = mode
    }

    /// The outline of `text`, or `text` itself when it has nothing to elide.
    func outline(_ text: String) -> String {
        let bytes = Array(text.utf8)
        return outline(bytes, lines: ByteLines.split(bytes)) ?? text
    }

    /// The outline, or nil when the text is too short to outline.
    func outline(_ bytes: [UInt8], lines: [Range<Int>]) -> String? {
        guard lines.count > 4 else { return nil }
        var keep = TokenCensus.factLines(bytes, lines: lines)
        var inString = false
        var previousWasSignature = false
        var previousWasComment = false
        for (i, range) in lines.enumerated() {
            let line = bytes[range]
            let content = line.dropFirst(ContentSniffer.gutterWidth(line))
            // A listing's blank line is its number alone once trailing whitespace is gone.
            if ByteLines.isBlank(content) || Self.isBareNumber(content) {
                previousWasComment = false
                continue
            }
            if ElidedLines.isMarkerLine(content) {
                // An earlier outline dropped this run, a string's closing quotes perhaps.
                keep[i] = true
                inString = false
                previousWasSignature = false
                previousWasComment = false
                continue
            }
            let wasInString = inString
            let quotes = Self.tripleQuotes(in: content)
            if quotes % 2 == 1 { inString.toggle() }
            let trimmed = ByteLines.trimmed(content)
            let indent = ByteLines.indentation(content)
            var signature = false
            if wasInString {
                // Inside a multi-line string: only rare ids (above) keep a line.
            } else if Self.hasNote(trimmed) {
                keep[i] = true
            } else if indent == 0, Self.isComment(trimmed) {
                // A comment block at the top level keeps its first line, which names what
                // follows; the rest explains it (a licence, a table of cases).
                if !previousWasComment { keep[i] = true }
            } else if indent == 0, !Self.isCloser(trimmed) {
                keep[i] = true
                signature = Self.isSignature(trimmed)
            } else if Self.isSignature(trimmed) || trimmed.first == UInt8(ascii: "@") {
                keep[i] = true
                signature = trimmed.first != UInt8(ascii: "@")
            } else if previousWasSignature, mode != .aggressive, quotes > 0 {
                keep[i] = true // the docstring's first line
            }
            previousWasSignature = signature || (previousWasSignature && trimmed.first == UInt8(ascii: "@"))
            previousWasComment = !wasInString && indent == 0 && Self.isComment(trimmed)
        }
        let outlined = ElidedLines.assemble(bytes, lines: lines, keep: keep) { ContentSniffer.gutterWidth(bytes[$0]) }
        return outlined
    }

    // MARK: - Line kinds

    private static func tripleQuotes(in content: ArraySlice<UInt8>) -> Int {
        var count = 0
        var i = content.startIndex
        while i + 2 < content.endIndex {
            let b = content[i]
            if b == 0x22 || b == 0x27, content[i + 1] == b, content[i + 2] == b {
                count += 1
                i += 3
            } else {
                i += 1
            }
        }
        return count
    }

    /// `TODO`, `FIXME`, `XXX` or `HACK` anywhere in the line.
    private static func hasNote(_ content: ArraySlice<UInt8>) -> Bool {
        var i = content.startIndex
        while i + 3 < content.endIndex {
            switch content[i] {
            case UInt8(ascii: "T"): if ByteLines.hasPrefix(content[i...], "TODO") { return true }
            case UInt8(ascii: "F"): if ByteLines.hasPrefix(content[i...], "FIXME") { return true }
            case UInt8(ascii: "X"): if ByteLines.hasPrefix(content[i...], "XXX") { return true }
            case UInt8(ascii: "H"): if ByteLines.hasPrefix(content[i...], "HACK") { return true }
            default: break
            }
            i += 1
        }
        return false
    }

    /// `  622`: only digits, as a numbered listing's empty line reads.
    static func isBareNumber(_ content: ArraySlice<UInt8>) -> Bool {
        let trimmed = ByteLines.trimmed(content)
        return !trimmed.isEmpty && trimmed.count <= 7 && trimmed.allSatisfy(ByteLines.isDigit)
    }

    /// `# note`, `#`, `// note`: a comment line (not `#include` or `#!`, which are code).
    static func isComment(_ content: ArraySlice<UInt8>) -> Bool {
        guard let first = content.first else { return false }
        if first == UInt8(ascii: "#") {
            let next = content.dropFirst().first
            return next == nil || next == 0x20 || next == UInt8(ascii: "#") || next == 0x09
        }
        return ByteLines.hasPrefix(content, "//")
    }

    /// `}`, `end`, `fi`: closing a block says nothing an outline needs.
    private static func isCloser(_ content: ArraySlice<UInt8>) -> Bool {
        closers.contains(content) || content.allSatisfy { $0 == 0x7D || $0 == 0x29 || $0 == 0x5D || $0 == 0x3B || $0 == 0x2C }
    }

    private static let closers = WordSet(["}", "};", ")", "]", "})", "});", "end", "fi", "esac", "done", "*/", "}}"])

    private static let modifiers = WordSet([
        "public", "private", "internal", "fileprivate", "open", "static", "final", "override", "export", "pub",
        "async", "unsafe", "mutating", "nonmutating", "abstract", "protected", "virtual", "inline", "extern",
        "default", "required", "convenience", "indirect", "nonisolated", "package", "crate", "dynamic", "lazy",
    ])

    private static let declarations = WordSet([
        "def", "class", "func", "fn", "function", "struct", "enum", "protocol", "interface", "impl", "trait",
        "extension", "init", "deinit", "subscript", "typealias", "type", "module", "namespace", "union", "actor",
        "macro", "object", "mod",
    ])

    private static let controlWords = WordSet([
        "if", "for", "while", "switch", "catch", "return", "else", "do", "try", "with", "elif", "except", "guard",
        "repeat", "when", "match", "case", "sizeof", "foreach", "until", "unless", "defer", "await", "new", "throw",
    ])

    /// A declaration (`def`, `func`, `class`...) after any modifiers, or a JS/TS/C-style
    /// method head `name(args) {`.
    static func isSignature(_ content: ArraySlice<UInt8>) -> Bool {
        var index = content.startIndex
        var firstWord: ArraySlice<UInt8>?
        for _ in 0..<4 {
            while index < content.endIndex, content[index] == 0x20 { index += 1 }
            let start = index
            while index < content.endIndex, ByteLines.isLetter(content[index]) || content[index] == 0x5F { index += 1 }
            guard start < index else { break }
            let word = content[start..<index]
            if firstWord == nil { firstWord = word }
            if declarations.contains(word) {
                return index == content.endIndex || content[index] == 0x20 || content[index] == 0x28 || content[index] == 0x3C
            }
            guard modifiers.contains(word) else { break }
        }
        // `name(args) {` as a method head.
        guard let first = firstWord, !controlWords.contains(first), content.last == UInt8(ascii: "{"),
            let paren = content.firstIndex(of: UInt8(ascii: "(")), paren > content.startIndex,
            !content[content.startIndex..<paren].contains(UInt8(ascii: "="))
        else { return false }
        return true
    }
}
