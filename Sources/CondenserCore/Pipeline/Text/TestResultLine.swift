/// A test runner's line for one test, and whether it passed: what a summary of an old
/// run may drop (its failures and summary line say how the run went) and what tells a
/// test listing from prose.
///
/// Formats: unittest and cargo (`name (module.Class.name) ... ok`), pytest verbose
/// (`tests/test_x.py::test_y PASSED [ 10%]`), go test (`=== RUN TestX`,
/// `--- PASS: TestX (0.00s)`), and jest or mocha (`✓ renders the form (5 ms)`).
enum TestResultLine {
    enum Verdict: Equatable { case passed, failed }

    /// The verdict of a test result line; nil for any other line.
    static func verdict(_ line: ArraySlice<UInt8>) -> Verdict? {
        let content = ByteLines.trimmed(line)
        guard content.count >= 4 else { return nil }
        if let dots = ByteLines.firstIndexCaseInsensitive(content, " ... ") {
            return unittestVerdict(content[(dots + 5)...])
        }
        if ByteLines.hasPrefix(content, "=== RUN") || ByteLines.hasPrefix(content, "=== PAUSE")
            || ByteLines.hasPrefix(content, "=== CONT") || ByteLines.hasPrefix(content, "--- PASS:")
            || ByteLines.hasPrefix(content, "--- SKIP:")
        {
            return .passed
        }
        if ByteLines.hasPrefix(content, "--- FAIL:") { return .failed }
        if ByteLines.hasPrefix(content, "✓ ") || ByteLines.hasPrefix(content, "√ ") { return .passed }
        if ByteLines.hasPrefix(content, "✕ ") || ByteLines.hasPrefix(content, "✗ ") || ByteLines.hasPrefix(content, "× ") {
            return .failed
        }
        return pytestVerdict(content)
    }

    /// `ok`, `skipped 'reason'`, `expected failure` pass; `FAIL`, `ERROR`, `FAILED`,
    /// `unexpected success` fail.
    private static func unittestVerdict(_ word: ArraySlice<UInt8>) -> Verdict? {
        if word.elementsEqual("ok".utf8) || ByteLines.hasPrefix(word, "ok ") || ByteLines.hasPrefix(word, "skipped")
            || ByteLines.hasPrefix(word, "expected failure")
        {
            return .passed
        }
        if ByteLines.hasPrefix(word, "FAIL") || ByteLines.hasPrefix(word, "ERROR") || ByteLines.hasPrefix(word, "unexpected success") {
            return .failed
        }
        return nil
    }

    /// `path::name VERDICT`, the verdict after the test id, a progress figure may follow.
    private static func pytestVerdict(_ content: ArraySlice<UInt8>) -> Verdict? {
        guard let colons = ByteLines.firstIndexCaseInsensitive(content, "::"),
            let space = content[colons...].firstIndex(of: 0x20)
        else { return nil }
        let word = content[(space + 1)...].prefix { $0 != 0x20 }
        let isWord = { (candidate: String) in word.elementsEqual(candidate.utf8) }
        if isWord("PASSED") || isWord("SKIPPED") || isWord("XFAIL") { return .passed }
        if isWord("FAILED") || isWord("ERROR") || isWord("XPASS") { return .failed }
        return nil
    }
}
