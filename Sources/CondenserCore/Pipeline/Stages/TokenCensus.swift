/// Which lines of a text carry a strong token (id, code, hash, version, URL, email) that
/// the summary must keep: every line holding a token that is rare in the text, and the
/// first line of every token that is not (a host name on every log line survives once).
enum TokenCensus {
    /// A token on at most this many lines is rare: all of its lines are kept.
    static let rareLineLimit = 3

    /// One flag per line: whether the line must be kept for its strong tokens.
    static func factLines(_ bytes: [UInt8], lines: [Range<Int>]) -> [Bool] {
        var keep = [Bool](repeating: false, count: lines.count)
        var occurrences: [(line: Int, key: UInt64)] = []
        var census: [UInt64: Entry] = [:]
        bytes.withUnsafeBufferPointer { buffer in
            for (lineIndex, line) in lines.enumerated() where !line.isEmpty {
                // A listing's line number is no fact; an agent's arrow (`12→code`) would
                // glue it to the code as one id.
                let range = (line.lowerBound + ContentSniffer.gutterWidth(bytes[line]))..<line.upperBound
                // Every strong kind holds a digit, or `@` (emails); most code and prose
                // lines hold neither.
                guard buffer[range].contains(where: { $0 &- 0x30 < 10 || $0 == 0x40 }) else { continue }
                RareTokenDetector.scan(buffer, range) { kind, token in
                    guard kind.isStrong else { return }
                    let key = fingerprint(buffer, token)
                    occurrences.append((lineIndex, key))
                    census[key, default: Entry(0, lineIndex, -1)].countLine(lineIndex)
                }
            }
        }
        for occurrence in occurrences {
            guard let entry = census[occurrence.key] else { continue }
            if entry.lines <= rareLineLimit || entry.first == occurrence.line { keep[occurrence.line] = true }
        }
        return keep
    }

    /// How many lines hold a token, and the first of them.
    struct Entry {
        var lines: Int
        var first: Int
        var last: Int

        init(_ lines: Int, _ first: Int, _ last: Int) {
            self.lines = lines
            self.first = first
            self.last = last
        }

        mutating func countLine(_ line: Int) {
            guard line != last else { return }
            lines += 1
            last = line
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
}
