/// The `summary` stage: an extractive summary of one message outside the recency window.
///
/// Chooses by role and content: line-oriented tool output (logs, test and build output,
/// listings, diffs) keeps its first and last lines, failures and lines with rare ids;
/// source code becomes an outline; assistant prose keeps first sentences, facts and
/// conclusions; JSON-wrapped results are condensed inside their strings. Old user
/// messages stay as they are unless long, and never lose their first two sentences.
///
/// Returns the input unchanged when the summary would save too little to be worth the
/// change (and so a summary of a summary is the summary itself).
struct OldTurnSummarizer: TextStage {
    let name = "summary"

    /// A summary must save at least this share of the text...
    static let minimumSavedFraction = 0.2
    /// ...and at least this many characters (UTF-8 bytes), or the text stays as it is.
    static let minimumSavedBytes = 40
    /// User messages shorter than this (UTF-8 bytes) are never summarised.
    static let userLengthThreshold = 1500
    static let aggressiveUserLengthThreshold = 800

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.mode != .off, text.utf8.count >= Self.minimumSavedBytes * 2 else { return text }
        let summary: String
        switch context.role {
        case .system:
            return text
        case .assistant:
            summary = ProseCondenser(mode: context.mode).condense(text)
        case .user:
            let threshold = context.mode == .aggressive ? Self.aggressiveUserLengthThreshold : Self.userLengthThreshold
            guard text.utf8.count > threshold else { return text }
            summary = condenseUserText(text, mode: context.mode)
        case .toolResult:
            let path = Self.path(in: context.toolArguments)
            // Lines under a fold marker (shared prefix, unittest class) are written out, kept
            // or dropped whole, then folded again: a kept line never loses its marker.
            let withPrefixes = SharedPrefixFolder.unfolded(text)
            let unfolded = UnittestNameFolder.unfolded(withPrefixes ?? text) ?? withPrefixes
            if let unfolded {
                let condensed = condenseToolOutput(unfolded, mode: context.mode, path: path)
                summary = SharedPrefixFolder().apply(UnittestNameFolder().apply(condensed, context: context), context: context)
            } else {
                summary = condenseToolOutput(text, mode: context.mode, path: path)
            }
        }
        return Self.isWorthIt(before: text, after: summary) ? summary : text
    }

    static func isWorthIt(before: String, after: String) -> Bool {
        let saved = before.utf8.count - after.utf8.count
        return saved >= minimumSavedBytes && Double(saved) >= Double(before.utf8.count) * minimumSavedFraction
    }

    // MARK: - Tool output

    func condenseToolOutput(_ text: String, mode: CompressionMode, path: String?) -> String {
        let bytes = Array(text.utf8)
        let lines = ByteLines.split(bytes)
        let kind = Self.sniff(bytes, lines)
        if let split = Self.jsonBeforeTrailer(bytes) {
            // `curl ... | jq` output with the harness's `[exit status: 0]` after it.
            let json = String(decoding: bytes[..<split], as: UTF8.self)
            return condenseToolOutput(json, mode: mode, path: path) + String(decoding: bytes[split...], as: UTF8.self)
        }
        let log = { LogCondenser(mode: mode).condense(bytes, lines: lines, isDiff: kind == .diff) ?? text }
        let code = { CodeOutline(mode: mode).outline(bytes, lines: lines) ?? text }
        if kind == .json {
            if let rewritten = JSONWrappedText.rewrite(text, { condenseToolOutput($0, mode: mode, path: path) }) {
                return rewritten
            }
            if let laidOut = JSONItemLines.render(text) {
                return LogCondenser(mode: mode).condense(laidOut)
            }
            return log()
        }
        // The file's name says more than a sniff of its first lines.
        if Self.isCode(path) { return code() }
        if Self.isText(path) { return kind == .prose ? ProseCondenser(mode: mode).condense(text) : log() }
        switch kind {
        case .json, .sourceCode:
            // Command output can pass for code (test listings full of `name (...)`); when
            // an outline saves little, the lines are read as output instead.
            let outlined = code()
            return Self.isWorthIt(before: text, after: outlined) ? outlined : log()
        case .numberedListing:
            let inner = Self.withoutLineNumbers(bytes, lines)
            return Self.sniff(inner, ByteLines.split(inner)) == .sourceCode ? code() : log()
        case .prose:
            return ProseCondenser(mode: mode).condense(text)
        case .diff, .log, .html, .mixed:
            return log()
        }
    }

    // MARK: - User text

    /// Prose keeps its first two sentences, questions and facts; pasted code and logs are
    /// condensed after the first two sentences, which stay as they were.
    func condenseUserText(_ text: String, mode: CompressionMode) -> String {
        let bytes = Array(text.utf8)
        let lines = ByteLines.split(bytes)
        let kind = Self.sniff(bytes, lines)
        if kind == .prose {
            return ProseCondenser(mode: mode, isUserText: true).condense(text)
        }
        let split = Self.endOfSecondSentence(bytes)
        let head = String(decoding: bytes[..<split], as: UTF8.self)
        let rest = String(decoding: bytes[split...], as: UTF8.self)
        let condensed: String
        switch kind {
        case .json:
            return text
        case .sourceCode, .numberedListing:
            condensed = CodeOutline(mode: mode).outline(rest)
        case .mixed:
            // Pasted documents mix prose and lines; prose rules keep every fact and question.
            condensed = ProseCondenser(mode: mode, isUserText: true).condense(rest)
        case .diff, .log, .html, .prose:
            condensed = LogCondenser(mode: mode).condense(rest)
        }
        return head + condensed
    }

    /// The byte offset just past the line holding the end of the text's second sentence.
    static func endOfSecondSentence(_ bytes: [UInt8]) -> Int {
        let limit = min(bytes.count, 4000)
        return bytes.withUnsafeBufferPointer { buffer in
            var sentences = 0
            var paragraphStart = 0
            var end = limit
            var index = 0
            // Sentences per paragraph, so a heading line counts as one.
            while index <= limit {
                let atBreak = index == limit || (bytes[index] == 0x0A && (index + 1 >= limit || bytes[index + 1] == 0x0A))
                if atBreak {
                    let spans = ProseCondenser.sentenceSpans(buffer, paragraphStart..<index)
                    if sentences + spans.count >= 2, let span = spans.dropFirst(max(0, 1 - sentences)).first {
                        end = span.upperBound
                        break
                    }
                    sentences += spans.count
                    paragraphStart = index + 1
                }
                index += 1
            }
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            return min(end + (end < bytes.count ? 1 : 0), bytes.count)
        }
    }

    // MARK: - Hints

    /// What the text is, judged without the markers of an earlier summary, so a summary
    /// is read as the same kind of text as its original.
    static func sniff(_ bytes: [UInt8], _ lines: [Range<Int>]) -> ContentSniffer.Kind {
        let content = lines.filter { !ElidedLines.isMarkerLine(bytes[$0]) }
        return ContentSniffer.kind(of: bytes, lines: content.count == lines.count ? lines : content)
    }

    /// Where a JSON document ends when one short line follows it (`[exit status: 0]`,
    /// `Exit code: 2`): the line break before that line. Nil for any other text.
    static func jsonBeforeTrailer(_ bytes: [UInt8]) -> Int? {
        guard let first = bytes.first(where: { !ContentSniffer.isSpace($0) }), first == 0x7B || first == 0x5B,
            let last = bytes.lastIndex(where: { !ContentSniffer.isSpace($0) }),
            let lineBreak = bytes[..<last].lastIndex(of: 0x0A), last - lineBreak <= Self.trailerMaximumBytes
        else { return nil }
        let body = Array(bytes[..<lineBreak])
        // Parsed, not sniffed: the last line of pretty-printed JSON (`}`) is short too.
        guard ContentSniffer.looksLikeJSON(body), (try? JSONParser.parse(bytes: body)) != nil else { return nil }
        return lineBreak
    }

    static let trailerMaximumBytes = 40

    /// The `path` (or `file`) argument of the tool call that produced a result.
    static func path(in arguments: String?) -> String? {
        guard let arguments, let object = (try? JSONParser.parse(arguments))?.objectValue else { return nil }
        return object["path"]?.stringValue ?? object["file"]?.stringValue ?? object["file_path"]?.stringValue
    }

    private static let codeExtensions: Set<String> = [
        "py", "pyi", "swift", "c", "h", "cc", "cpp", "hpp", "m", "js", "mjs", "ts", "tsx", "jsx", "go", "rs", "java",
        "kt", "rb", "sh", "bash", "zsh", "pl", "php", "cs", "scala", "lua", "conf", "cfg", "ini", "toml", "yaml",
        "yml", "local", "service", "mk", "cmake", "sql",
    ]

    private static let textExtensions: Set<String> = ["md", "txt", "rst", "log", "csv", "tsv", "html", "htm", "adoc"]

    static func fileExtension(_ path: String?) -> String? {
        guard let path, let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        return path[path.index(after: dot)...].lowercased()
    }

    static func isCode(_ path: String?) -> Bool { fileExtension(path).map(codeExtensions.contains) ?? false }
    static func isText(_ path: String?) -> Bool { fileExtension(path).map(textExtensions.contains) ?? false }

    /// The text without its `  12\t` line-number prefixes, for sniffing what it is.
    static func withoutLineNumbers(_ bytes: [UInt8], _ lines: [Range<Int>]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, range) in lines.enumerated() {
            if i > 0 { out.append(0x0A) }
            out.append(contentsOf: bytes[range].dropFirst(ContentSniffer.gutterWidth(bytes[range])))
        }
        return out
    }
}
