/// Words: a URL, email or path as a whole, then the atoms inside it.
extension FactDetector {
    /// A whitespace-delimited word: a URL, email or path as a whole, then its atoms.
    static func scanWord(
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
        var slash = 0
        var at = -1
        var colonSlashSlash = false
        var letters = 0
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
        var length = 0
        var letter = false
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
}
