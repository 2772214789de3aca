/// Stage `passes`, aggressive mode only: in a test run's output, three or more result lines
/// in a row of tests that passed or were skipped become one marker that counts them,
/// `[... 57 passed or skipped tests omitted]`.
///
/// Failures, what the tests printed, warnings and the run's summary line stay as they are:
/// they are what an agent acts on, while the names of passing tests are most of a verbose
/// run. Safe mode keeps every line (the names are content); there only a summary of an old
/// run drops them. Since the stage runs on a result when it first appears, and the same
/// way on every later request, it costs no cache misses.
///
/// Source code, listings, diffs and JSON are left alone: a line in them that looks like a
/// result is part of what was read.
struct PassingTestPruner: TextStage {
    let name = "passes"

    /// Shorter runs stay: a marker would barely pay for itself.
    static let minimumRun = 3

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.mode == .aggressive, context.role == .toolResult else { return text }
        return JSONWrappedText.applying(Self.prune, to: text)
    }

    static func prune(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let lines = ByteLines.split(bytes)
        guard lines.count >= minimumRun, !ContentSniffer.kind(of: bytes, lines: lines).isVerbatim else { return text }
        let passed = lines.map { TestResultLine.verdict(bytes[$0]) == .passed }
        var out: [ArraySlice<UInt8>] = []
        out.reserveCapacity(lines.count)
        var changed = false
        var i = 0
        while i < lines.count {
            guard passed[i] else {
                out.append(bytes[lines[i]])
                i += 1
                continue
            }
            var j = i + 1
            while j < lines.count, passed[j] { j += 1 }
            if j - i >= minimumRun {
                // At the run's indentation, so a jest or go test run keeps its nesting.
                let first = bytes[lines[i]]
                out.append(ArraySlice(first.prefix(ByteLines.indentation(first)) + Array(Marker.passingTests(j - i).utf8)))
                changed = true
            } else {
                out.append(contentsOf: lines[i..<j].map { bytes[$0] })
            }
            i = j
        }
        return changed ? ByteLines.join(out) : text
    }
}
