import Testing

@testable import CondenserCore

@Suite struct LineDiffTests {
    func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// Applies runs to old, which must give new.
    func apply(_ runs: [LineDiff.Run], old: [Substring], new: [Substring]) -> [Substring] {
        var out: [Substring] = []
        for run in runs {
            switch run {
            case .equal(let o, _, let c): out += old[o..<(o + c)]
            case .delete: break
            case .insert(let n, let c): out += new[n..<(n + c)]
            }
        }
        return out
    }

    @Test func findsAShortestScript() throws {
        let old = lines("a\nb\nc\nd\ne\nf")
        let new = lines("a\nc\nd\nx\ne\nf\ng")
        let runs = try #require(LineDiff.diff(old, new, maxEdits: 10))
        #expect(apply(runs, old: old, new: new) == new)
        var edits = 0
        for run in runs {
            if case .delete(_, let c) = run { edits += c }
            if case .insert(_, let c) = run { edits += c }
        }
        #expect(edits == 3)
    }

    @Test func givesUpBeyondTheLimit() {
        let old = lines("1\n2\n3\n4\n5\n6")
        let new = lines("a\nb\nc\nd\ne\nf")
        #expect(LineDiff.diff(old, new, maxEdits: 5) == nil)
        #expect(LineDiff.diff(old, new, maxEdits: 12) != nil)
    }

    @Test func printsUnifiedHunksWithContext() throws {
        let old = lines("1\n2\n3\n4\n5\n6\n7\n8\n9")
        let new = lines("1\n2\n3\n4\nfive\n6\n7\n8\n9")
        let runs = try #require(LineDiff.diff(old, new, maxEdits: 4))
        #expect(LineDiff.unifiedHunks(old: old, new: new, runs: runs, context: 1) == "@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n")
    }

    @Test func identicalInputsGiveOneEqualRun() throws {
        let old = lines("a\nb")
        #expect(LineDiff.diff(old, old, maxEdits: 0) == [.equal(old: 0, new: 0, count: 2)])
    }
}
