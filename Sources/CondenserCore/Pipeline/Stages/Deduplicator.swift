/// Stage `dedupe`: a block identical to one earlier in the conversation becomes a short
/// reference to where it first appeared; a near-duplicate (a file re-read after a small
/// edit, a command re-run) becomes a diff against the earlier copy when that is smaller.
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

    public init(minimumCharacters: Int = 200, maximumDiffRatio: Double = 0.6) {
        self.minimumCharacters = minimumCharacters
        self.maximumDiffRatio = maximumDiffRatio
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

        public init() {}
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
        var best: String?
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
        let old = copy.text.split(separator: "\n", omittingEmptySubsequences: false)
        let new = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Numbered listings (`  12\tcode`) renumber every line after an insertion, so
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

    static func isNumberedListing(_ lines: [Substring]) -> Bool {
        guard lines.count >= 3 else { return false }
        var numbered = 0
        for line in lines where hasLineNumber(line) { numbered += 1 }
        return numbered * 10 >= lines.count * 9
    }

    static func hasLineNumber(_ line: Substring) -> Bool {
        var sawDigit = false
        for byte in line.utf8 {
            if byte == UInt8(ascii: " ") && !sawDigit { continue }
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                continue
            }
            return sawDigit && byte == UInt8(ascii: "\t")
        }
        return false
    }

    static func stripLineNumber(_ line: Substring) -> Substring {
        guard hasLineNumber(line), let tab = line.firstIndex(of: "\t") else { return line }
        return line[line.index(after: tab)...]
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
