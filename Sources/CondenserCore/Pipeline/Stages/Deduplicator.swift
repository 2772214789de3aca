import Foundation

/// Stage `dedupe`: a block identical to one earlier in the conversation becomes a short
/// reference to where it first appeared; a near-duplicate (a file re-read after a small
/// edit, a command re-run) becomes a diff against the earlier copy when that is smaller.
///
/// A tool result that shares long runs of lines with earlier copies (a file read in
/// overlapping ranges, a file read back after the agent wrote it, a log that repeats
/// part of an earlier one) keeps its other lines verbatim and names each repeated run:
/// "[lines 40-120 same as lines 1-81 of the read_file result for x.py in message 9]".
/// Line numbers are a listing's own (`  40\t...`, `  40→...`) where it has them, else positions.
/// Earlier copies include the long multi-line arguments of tool calls (a file given to
/// a write tool), which are never rewritten.
///
/// References only point backwards, at a copy that is in the request in full, so the
/// earlier copy is never changed. Messages are numbered from 1 in markers, as a reader
/// counts them.
public struct Deduplicator: Sendable {
    public static let name = "dedupe"

    /// Blocks shorter than this are left alone: a reference would be about as long.
    public var minimumCharacters: Int
    /// A diff replaces a block only when it is at most this fraction of the block.
    public var maximumDiffRatio: Double

    /// A repeated run is replaced only when it is at least this many lines long.
    public var minimumRunLines: Int

    public init(minimumCharacters: Int = 200, maximumDiffRatio: Double = 0.6, minimumRunLines: Int = 6) {
        self.minimumCharacters = minimumCharacters
        self.maximumDiffRatio = maximumDiffRatio
        self.minimumRunLines = minimumRunLines
    }

    /// An earlier block that is in the request in full.
    public struct Copy: Sendable, Hashable {
        public var messageIndex: Int
        public var description: String
        public var text: String
    }

    /// What the earlier messages offer for references, built message by message.
    public struct Index: Sendable {
        var exact: [StableHash: Copy] = [:]
        /// The latest full copy per subject (tool and arguments; tool and path).
        var bySubject: [String: Copy] = [:]
        /// The latest full assistant blocks, newest last, for code re-posted with changes.
        var recentAssistant: [Copy] = []
        /// Earlier full copies by line, for runs of repeated lines.
        var sources: [LineSource] = []
        /// Where each anchor line first appeared: source and line position.
        var anchors: [Substring: (source: Int, line: Int)] = [:]

        public init() {}
    }

    /// The lines of an earlier full copy, computed once per block (memoised with its
    /// message), registered with every request.
    public struct LineSource: Sendable {
        var messageIndex: Int
        var description: String
        /// The lines, without a numbered listing's numbers.
        var keys: [Substring]
        /// A numbered listing's own line numbers.
        var numbers: [Int]?
        /// Positions of the anchor lines (`isAnchor`).
        var anchors: [Int]
    }

    /// The keys a block is known by, computed once per block (memoised with its message).
    public struct Fingerprint: Sendable, Hashable {
        public var hash: StableHash
        public var subjects: [String]
        public var description: String

        public init(block: TextBlock, text: String) {
            hash = StableHash(text)
            let described = Deduplicator.describe(block)
            subjects = described.subjects
            description = described.description
        }
    }

    /// Records a block that is in the request in full.
    public func register(_ text: String, fingerprint: Fingerprint, role: BlockRole, messageIndex: Int, in index: inout Index) {
        guard text.utf8.count >= minimumCharacters else { return }
        let copy = Copy(messageIndex: messageIndex, description: fingerprint.description, text: text)
        if index.exact[fingerprint.hash] == nil { index.exact[fingerprint.hash] = copy }
        for subject in fingerprint.subjects { index.bySubject[subject] = copy }
        if role == .assistant {
            index.recentAssistant.append(copy)
            if index.recentAssistant.count > 3 { index.recentAssistant.removeFirst() }
        }
    }

    /// The line source of a full copy, or nil when it is too short to hold a run.
    public func lineSource(_ text: String, description: String, messageIndex: Int) -> LineSource? {
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
    public func argumentSources(of block: TextBlock, callMessageIndex messageIndex: Int) -> [LineSource] {
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
    public func register(_ source: LineSource, in index: inout Index) {
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

    /// The reference or diff that stands for `text`, or nil when there is no earlier copy
    /// or a diff would not be small enough. `exactOnly` allows references but no diffs.
    public func rewrite(_ text: String, fingerprint: Fingerprint, role: BlockRole, index: Index, exactOnly: Bool = false) -> String? {
        guard text.utf8.count >= minimumCharacters else { return nil }
        if let copy = index.exact[fingerprint.hash], copy.text == text {
            return Marker.sameAs(copy.description, messageIndex: copy.messageIndex + 1)
        }
        if exactOnly { return nil }
        var candidates: [Copy] = fingerprint.subjects.compactMap { index.bySubject[$0] }
        if role == .assistant { candidates += index.recentAssistant.reversed() }
        // Runs of lines first; a diff against the same subject wins when it is smaller.
        var best: String? = role == .toolResult ? replacingRuns(text, index: index) : nil
        var seen: Set<Int> = []
        for copy in candidates where seen.insert(copy.messageIndex).inserted {
            guard let diff = Deduplicator.diff(from: copy, to: text, maximumRatio: maximumDiffRatio) else { continue }
            if best == nil || diff.utf8.count < best!.utf8.count { best = diff }
        }
        return best
    }

    /// `text` as a marked diff against `copy`, when that is at most `maximumRatio` of it.
    static func diff(from copy: Copy, to text: String, maximumRatio: Double) -> String? {
        let budget = Int(Double(text.utf8.count) * maximumRatio)
        let old = lines(copy.text)
        let new = lines(text)
        // Numbered listings (`  12\tcode`, `  12→code`) renumber every line after an insertion, so
        // compare them by content and print the new lines with their new numbers.
        let numbered = isNumberedListing(old) && isNumberedListing(new)
        let oldKeys = numbered ? old.map(stripLineNumber) : old
        let newKeys = numbered ? new.map(stripLineNumber) : new
        // Every changed line costs at least one line of output; beyond this, no gain.
        let maxEdits = max(4, min(old.count + new.count, budget / 8))
        guard let runs = LineDiff.diff(oldKeys, newKeys, maxEdits: maxEdits) else { return nil }
        var equalLines = 0
        for case .equal(_, _, let count) in runs { equalLines += count }
        guard equalLines * 2 >= new.count else { return nil }
        let header = Marker.sameExcept(copy.description, messageIndex: copy.messageIndex + 1)
        let hunks = LineDiff.unifiedHunks(old: old, new: new, runs: runs, context: 1)
        let result = header + "\n" + (hunks.hasSuffix("\n") ? String(hunks.dropLast()) : hunks)
        return result.utf8.count <= budget ? result : nil
    }

    /// The lines of `text`, as `text.split(separator: "\n", omittingEmptySubsequences: false)`
    /// gives them, read as bytes (splitting by `Character` costs a third of a warm turn).
    /// `\r\n` is one `Character`, unequal to `"\n"`, so a newline after a carriage return
    /// splits nothing; every other newline is a character boundary on both sides.
    static func lines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        // The offset and index of the newline found last, to step to the next one.
        var offset = 0
        var index = utf8.startIndex
        withBytes(text[...]) { bytes in
            var from = 0
            while from < bytes.count, let found = memchr(bytes.baseAddress! + from, 0x0A, bytes.count - from) {
                let at = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                from = at + 1
                guard at == 0 || bytes[at - 1] != 0x0D else { continue }
                index = utf8.index(index, offsetBy: at - offset)
                offset = at
                lines.append(text[start..<index])
                start = utf8.index(after: index)
            }
        }
        lines.append(text[start...])
        return lines
    }

    static func isNumberedListing(_ lines: [Substring]) -> Bool {
        guard lines.count >= 3 else { return false }
        var numbered = 0
        for line in lines where hasLineNumber(line) { numbered += 1 }
        return numbered * 10 >= lines.count * 9
    }

    static func hasLineNumber(_ line: Substring) -> Bool {
        gutterEnd(line) != nil
    }

    /// Where a listing line's code starts, after the number and its tab or arrow
    /// (`  12\tcode`, `  12→code`); nil for a line without a number.
    static func gutterEnd(_ line: Substring) -> Substring.Index? {
        let width: Int? = withBytes(line) { bytes in
            var i = 0
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            let digits = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") { i += 1 }
            guard i > digits, i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "\t") { return i + 1 }
            // `→` is E2 86 92.
            return i + 3 <= bytes.count && bytes[i] == 0xE2 && bytes[i + 1] == 0x86 && bytes[i + 2] == 0x92 ? i + 3 : nil
        }
        return width.map { line.utf8.index(line.utf8.startIndex, offsetBy: $0) }
    }

    static func stripLineNumber(_ line: Substring) -> Substring {
        guard let end = gutterEnd(line) else { return line }
        return line[end...]
    }

    /// How a marker names a block, and the subjects a near-duplicate is found by.
    static func describe(_ block: TextBlock) -> (description: String, subjects: [String]) {
        switch block.role {
        case .system: return ("the system message", [])
        case .user: return ("the user message", [])
        case .assistant: return ("the assistant message", [])
        case .toolResult: break
        }
        let tool = block.toolName ?? "tool"
        guard let arguments = block.toolArguments else { return ("the \(tool) result", ["\(tool)\u{0}"]) }
        var subjects = ["\(tool)\u{0}\(arguments)"]
        var description = "the \(tool) result"
        if case .object(let object)? = try? JSONParser.parse(arguments) {
            for key in ["path", "file_path", "filepath", "file", "filename", "url", "uri"] {
                if let value = object[key]?.stringValue, !value.isEmpty, value.utf8.count <= 200 {
                    description += " for \(value)"
                    subjects.append("\(tool)\u{1}\(value)")
                    break
                }
            }
            if subjects.count == 1 {
                for key in ["command", "cmd", "query", "pattern"] {
                    if let value = object[key]?.stringValue, !value.isEmpty, value.utf8.count <= 80, !value.contains("\n") {
                        description += " for `\(value)`"
                        break
                    }
                }
            }
        }
        return (description, subjects)
    }
}
