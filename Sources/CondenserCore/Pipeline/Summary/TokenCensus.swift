/// Which lines of a text carry a strong token (id, code, hash, version, URL, email) that
/// the summary must keep: the first line each token is on. Every id survives once; its
/// later lines add no fact (a host name on every log line, a code an error repeats).
///
/// A column of values is data, not a fact that stands out: when tokens of one shape
/// (`Aa9` for session ids, `a@a.a` for emails, `a9` for commit hashes) sit on more than
/// `columnLineLimit` lines, only the first `columnSampleLines` of those lines are kept
/// for them. A code such as `QRX-8228` in a log of session ids keeps its line, because
/// its shape is rare there, and so does a rare value of a column on a line that
/// `keepsRareValues` picks (an error line, say).
enum TokenCensus {
    /// A token on at most this many lines is rare: a column's rare value keeps every line
    /// `keepsRareValues` picks.
    static let rareLineLimit = 3
    /// A token shape on more lines than this is a column of values...
    static let columnLineLimit = 8
    /// ...of which the first this many lines are kept.
    static let columnSampleLines = 3

    /// One flag per line: whether the line must be kept for its strong tokens.
    static func factLines(
        _ bytes: [UInt8], lines: [Range<Int>], keepsRareValues: ((ArraySlice<UInt8>) -> Bool)? = nil
    ) -> [Bool] {
        var keep = [Bool](repeating: false, count: lines.count)
        var occurrences: [(line: Int, key: UInt64, shape: UInt64)] = []
        var census: [UInt64: Entry] = [:]
        var shapes: [UInt64: Entry] = [:]
        bytes.withUnsafeBufferPointer { buffer in
            for (lineIndex, line) in lines.enumerated() where !line.isEmpty {
                // A listing's line number is no fact; an agent's arrow (`12→code`) would
                // glue it to the code as one id.
                let range = (line.lowerBound + ContentSniffer.gutterWidth(bytes[line]))..<line.upperBound
                // Every strong kind holds a digit, or `@` (emails); most code and prose
                // lines hold neither.
                guard buffer[range].contains(where: { $0 &- 0x30 < 10 || $0 == 0x40 }) else { continue }
                FactDetector.scan(buffer, range) { kind, token in
                    guard kind.isStrong else { return }
                    let key = fingerprint(buffer, token)
                    let shape = shapeFingerprint(buffer, token, kind: kind)
                    occurrences.append((lineIndex, key, shape))
                    census[key, default: Entry(0, lineIndex, -1)].countLine(lineIndex)
                    shapes[shape, default: Entry(0, lineIndex, -1)].countLine(lineIndex)
                }
            }
        }
        for occurrence in occurrences {
            guard let entry = census[occurrence.key], let shape = shapes[occurrence.shape] else { continue }
            if shape.lines > columnLineLimit {
                // Sampled whatever each value's count, so a summary's summary samples the same lines.
                if occurrence.line <= shape.sampleEnd {
                    keep[occurrence.line] = true
                } else if entry.lines <= rareLineLimit, !keep[occurrence.line], let keepsRareValues,
                    keepsRareValues(bytes[lines[occurrence.line]])
                {
                    keep[occurrence.line] = true
                }
            } else if entry.first == occurrence.line {
                keep[occurrence.line] = true
            }
        }
        return keep
    }

    /// How many lines hold a token (or a shape), the first of them, and the last line of
    /// the first `columnSampleLines` (lines are counted in order).
    struct Entry {
        var lines: Int
        var first: Int
        var last: Int
        var sampleEnd = Int.max

        init(_ lines: Int, _ first: Int, _ last: Int) {
            self.lines = lines
            self.first = first
            self.last = last
        }

        mutating func countLine(_ line: Int) {
            guard line != last else { return }
            lines += 1
            last = line
            if lines == TokenCensus.columnSampleLines { sampleEnd = line }
        }
    }

    /// FNV-1a over the token's bytes: deterministic in every process, unlike `Hasher`.
    static func fingerprint(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in range {
            hash ^= UInt64(buffer[i])
            hash &*= 0x100_0000_01B3
        }
        return hash
    }

    /// FNV-1a over the token's kind and its shape: each run of letters and digits becomes
    /// the classes it holds (`A` capitals, `a` lower case, `9` digits, in that order) and
    /// separators stay, so `QRX-8228` is `A-9`, `LgDINs6Q` is `Aa9` and `a1b2c3d` is `a9`.
    static func shapeFingerprint(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, kind: FactDetector.Kind) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        for byte in kind.rawValue.utf8 { mix(byte) }
        mix(0x3A)
        var classes: UInt8 = 0
        for i in range {
            let byte = buffer[i]
            if byte &- 0x41 < 26 {
                classes |= 1
            } else if byte &- 0x61 < 26 || byte >= 0x80 {
                classes |= 2
            } else if byte &- 0x30 < 10 {
                classes |= 4
            } else {
                if classes != 0 { mix(0x80 | classes) }
                classes = 0
                mix(byte)
            }
        }
        if classes != 0 { mix(0x80 | classes) }
        return hash
    }
}
