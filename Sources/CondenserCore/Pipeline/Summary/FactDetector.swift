/// Finds the words in a line or sentence that carry a fact a summary must keep: ids and
/// codes (`DSP-1033`, `malachite-47`, `E2531K`), hashes, versions, URLs, emails, paths,
/// identifiers (`CamelCase`, `snake_case`), non-trivial numbers and quoted literals.
///
/// Deterministic and linear: one pass over the UTF-8 bytes, no regular expressions, no
/// hashing with per-process seeds.
enum FactDetector {
    /// What a fact is.
    enum Kind: String, Sendable, Hashable, CaseIterable {
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
        var isStrong: Bool {
            switch self {
            case .code, .hash, .version, .url, .email: return true
            default: return false
            }
        }

        /// Whether the fact makes a sentence worth keeping: every kind but timestamps.
        var isWorthASentence: Bool { self != .timestamp }
    }

    /// One fact found in a text.
    struct Fact: Sendable, Hashable {
        var kind: Kind
        var text: String

        init(kind: Kind, text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// Every fact in `text`, in order of appearance. A whole word that is a URL, email or
    /// path is reported once, followed by the codes and ids inside it.
    static func facts(in text: String) -> [Fact] {
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
    static func scan(
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
}
