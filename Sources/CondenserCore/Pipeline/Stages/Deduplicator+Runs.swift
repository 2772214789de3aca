import Foundation

/// Runs: long runs of lines that repeat an earlier full copy, replaced by a reference to it.
extension Deduplicator {
    /// The line source of a full copy, or nil when it is too short to hold a run.
    func lineSource(_ text: String, description: String, messageIndex: Int) -> LineSource? {
        guard text.utf8.count >= minimumCharacters else { return nil }
        let lines = Deduplicator.lines(text)
        guard lines.count >= minimumRunLines else { return nil }
        let numbered = Deduplicator.isNumberedListing(lines)
        let keys = numbered ? lines.map(Deduplicator.stripLineNumber) : lines
        return LineSource(
            messageIndex: messageIndex, description: description, keys: keys, numbers: numbered ? lines.map(Deduplicator.lineNumber) : nil,
            anchors: keys.indices.filter { Deduplicator.isAnchor(keys[$0]) })
    }

    /// The line sources of a tool call's long multi-line string arguments (a file's
    /// content given to a write or edit tool). `messageIndex` is the assistant message
    /// that made the call.
    func argumentSources(of block: TextBlock, callMessageIndex messageIndex: Int) -> [LineSource] {
        guard block.role == .toolResult, let arguments = block.toolArguments, arguments.utf8.count >= minimumCharacters,
            case .object(let object)? = try? JSONParser.parse(arguments)
        else { return [] }
        let tool = block.toolName ?? "tool"
        var subject = ""
        for key in ["path", "file_path", "filepath", "file", "filename"] {
            if let value = object[key]?.stringValue, !value.isEmpty, value.utf8.count <= 200 {
                subject = " for \(value)"
                break
            }
        }
        return object.members.compactMap { member in
            guard case .string(let value) = member.value, value.contains("\n") else { return nil }
            return lineSource(value, description: "the `\(member.key)` argument of the \(tool) call\(subject)", messageIndex: messageIndex)
        }
    }

    /// Records a full copy's lines for run references.
    func register(_ source: LineSource, in index: inout Index) {
        let number = index.sources.count
        index.sources.append(source)
        for position in source.anchors where index.anchors[source.keys[position]] == nil {
            index.anchors[source.keys[position]] = (number, position)
        }
    }

    /// Anchor lines: long enough to mean something, and one in four by a fixed hash, so
    /// the index stays small; a run is found from any anchor in it, then extended both
    /// ways. The hash is fixed (not the per-process `Hasher`), so a conversation gets
    /// the same references in every process.
    static func isAnchor(_ line: Substring) -> Bool {
        withBytes(line) { bytes in
            guard bytes.count >= 8 else { return false }
            var hash: UInt32 = 2_166_136_261
            for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            return hash & 3 == 0
        }
    }

    /// The UTF-8 bytes of a line, in place (a copy only for a string not stored as UTF-8).
    @inline(__always)
    static func withBytes<Result>(_ line: Substring, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        line.utf8.withContiguousStorageIfAvailable(body) ?? Array(line.utf8).withUnsafeBufferPointer(body)
    }

    /// `text` with each long run of lines that repeats an earlier copy replaced by a
    /// reference to it, or nil when there is none.
    func replacingRuns(_ text: String, index: Index) -> String? {
        guard !index.anchors.isEmpty else { return nil }
        let lines = Deduplicator.lines(text)
        guard lines.count >= minimumRunLines else { return nil }
        let numbered = Deduplicator.isNumberedListing(lines)
        let keys = numbered ? lines.map(Deduplicator.stripLineNumber) : lines
        let newNumbers: [Int]? = numbered ? lines.map(Deduplicator.lineNumber) : nil
        var result = ""
        var written = 0
        func append<Lines: Sequence<Substring>>(_ more: Lines) {
            for line in more {
                if written > 0 { result += "\n" }
                result += line
                written += 1
            }
        }
        // The first line not yet written out; a run reaches back to it, no further.
        var verbatimStart = 0
        var position = 0
        var replaced = false
        while position < keys.count {
            guard Deduplicator.isAnchor(keys[position]), let anchor = index.anchors[keys[position]] else {
                position += 1
                continue
            }
            let source = index.sources[anchor.source]
            var start = position
            var sourceStart = anchor.line
            while start > verbatimStart, sourceStart > 0, keys[start - 1] == source.keys[sourceStart - 1] {
                start -= 1
                sourceStart -= 1
            }
            var end = position + 1
            var sourceEnd = anchor.line + 1
            while end < keys.count, sourceEnd < source.keys.count, keys[end] == source.keys[sourceEnd] {
                end += 1
                sourceEnd += 1
            }
            var characters = 0
            for line in lines[start..<end] { characters += line.utf8.count + 1 }
            guard end - start >= minimumRunLines, characters >= minimumCharacters else {
                position += 1
                continue
            }
            append(lines[verbatimStart..<start])
            let marker = Marker.sameLines(
                Deduplicator.shown(start..<end, newNumbers), as: Deduplicator.shown(sourceStart..<sourceEnd, source.numbers),
                of: source.description, messageIndex: source.messageIndex + 1)
            append(CollectionOfOne(Substring(marker)))
            replaced = true
            verbatimStart = end
            position = end
        }
        guard replaced else { return nil }
        append(lines[verbatimStart...])
        return result
    }

    /// A run's lines as a reader finds them: the listing's own numbers when both ends
    /// have one, else positions from 1.
    static func shown(_ range: Range<Int>, _ numbers: [Int]?) -> ClosedRange<Int> {
        if let numbers, numbers[range.lowerBound] > 0, numbers[range.upperBound - 1] >= numbers[range.lowerBound] {
            return numbers[range.lowerBound]...numbers[range.upperBound - 1]
        }
        return (range.lowerBound + 1)...range.upperBound
    }

    /// The number of a `  12\tcode` or `  12→code` line, 0 when it has none.
    static func lineNumber(_ line: Substring) -> Int {
        guard hasLineNumber(line) else { return 0 }
        var value = 0
        for byte in line.utf8 {
            if byte == UInt8(ascii: " ") { continue }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
