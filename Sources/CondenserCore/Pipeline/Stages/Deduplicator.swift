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
struct Deduplicator: Sendable {
    static let name = "dedupe"

    /// Blocks shorter than this are left alone: a reference would be about as long.
    var minimumCharacters: Int
    /// A diff replaces a block only when it is at most this fraction of the block.
    var maximumDiffRatio: Double

    /// A repeated run is replaced only when it is at least this many lines long.
    var minimumRunLines: Int

    init(minimumCharacters: Int = 200, maximumDiffRatio: Double = 0.6, minimumRunLines: Int = 6) {
        self.minimumCharacters = minimumCharacters
        self.maximumDiffRatio = maximumDiffRatio
        self.minimumRunLines = minimumRunLines
    }

    /// An earlier block that is in the request in full.
    struct Copy: Sendable, Hashable {
        var messageIndex: Int
        var description: String
        var text: String
    }

    /// What the earlier messages offer for references, built message by message.
    struct Index: Sendable {
        var exact: [StableHash: Copy] = [:]
        /// The latest full copy per subject (tool and arguments; tool and path).
        var bySubject: [String: Copy] = [:]
        /// The latest full assistant blocks, newest last, for code re-posted with changes.
        var recentAssistant: [Copy] = []
        /// Earlier full copies by line, for runs of repeated lines.
        var sources: [LineSource] = []
        /// Where each anchor line first appeared: source and line position.
        var anchors: [Substring: (source: Int, line: Int)] = [:]

        init() {}
    }

    /// The lines of an earlier full copy, computed once per block (memoised with its
    /// message), registered with every request.
    struct LineSource: Sendable {
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
    struct Fingerprint: Sendable, Hashable {
        var hash: StableHash
        var subjects: [String]
        var description: String

        init(block: TextBlock, text: String) {
            hash = StableHash(text)
            let described = Deduplicator.describe(block)
            subjects = described.subjects
            description = described.description
        }
    }

    /// Records a block that is in the request in full.
    func register(_ text: String, fingerprint: Fingerprint, role: BlockRole, messageIndex: Int, in index: inout Index) {
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
    func rewrite(_ text: String, fingerprint: Fingerprint, role: BlockRole, index: Index, exactOnly: Bool = false) -> String? {
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
}
