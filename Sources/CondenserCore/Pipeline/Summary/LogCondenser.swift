/// Condenses line-oriented output (logs, test and build output, listings, diffs) to the
/// lines that say what happened: the first and last few, errors, warnings and failures
/// with the last frame of each traceback, summary lines, and every line holding an id or
/// code that is rare in the text. Dropped runs become `[... n lines omitted]`. A passing
/// or skipped test's result line goes whatever it holds: the failures (with what a failed
/// test printed just above its verdict) and the run's summary line say how an old run went.
struct LogCondenser: Sendable {
    /// Lines kept from the start and from the end.
    var headLines: Int
    var tailLines: Int
    /// Error and warning lines kept per line shape (the line without its numbers and ids),
    /// so a log of 200 identical failures keeps a few.
    var alertsPerShape: Int
    /// Error and warning lines kept in all (beyond those kept for a rare id); a fixed
    /// count, so a summary of the summary keeps the same ones.
    var alertBudget: Int
    /// Whether the first line after each blank line stays when it is short: a section's
    /// heading. Longer ones open paragraphs of docs or log entries, which a summary may drop.
    var keepsBlockStarts: Bool
    static let blockStartMaximumBytes = 40

    init(mode: CompressionMode) {
        switch mode {
        case .aggressive:
            headLines = 2
            tailLines = 2
            alertsPerShape = 1
            alertBudget = 6
            keepsBlockStarts = false
        case .safe, .off:
            headLines = 3
            tailLines = 3
            alertsPerShape = 2
            alertBudget = 10
            keepsBlockStarts = true
        }
    }

    func condense(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let lines = ByteLines.split(bytes)
        return condense(bytes, lines: lines, isDiff: ContentSniffer.kind(of: bytes, lines: lines) == .diff) ?? text
    }

    /// The condensed text, or nil when it is too short to condense.
    func condense(_ bytes: [UInt8], lines: [Range<Int>], isDiff: Bool) -> String? {
        // A final newline leaves an empty last line: keep it, out of the tail count.
        let trailingEmpty = lines.count > 1 && lines[lines.count - 1].isEmpty
        let contentCount = lines.count - (trailingEmpty ? 1 : 0)
        guard contentCount > headLines + tailLines + 2 else { return nil }
        // An error line with a rare id is what a summary is for, even in a column of ids.
        var keep = TokenCensus.factLines(bytes, lines: lines, keepsRareValues: Self.isSevere)
        var alertsByShape: [UInt64: Int] = [:]
        // A log of failures on every line keeps its first few, not all of them.
        var alertsKept = 0
        for i in 0..<lines.count {
            let line = bytes[lines[i]]
            if i < headLines || i >= contentCount - tailLines || ElidedLines.isMarkerLine(line) || Self.isHeading(line) {
                keep[i] = true
                continue
            }
            if keepsBlockStarts, i > 0, lines[i - 1].isEmpty, !ByteLines.isBlank(line), line.count <= Self.blockStartMaximumBytes {
                // A short first line of a block after a blank line: a section's heading.
                keep[i] = true
                continue
            }
            let verdict = TestResultLine.verdict(line)
            if verdict == .passed {
                keep[i] = false
                continue
            }
            if isDiff, Self.isDiffChange(line) {
                keep[i] = true
                continue
            }
            // A failed test is an alert, in the budget like any (`✕ submits` has no alert word).
            var alert = Self.alert(in: line)
            if verdict == .failed, alert == .none { alert = .alert }
            guard alert != .none else { continue }
            let shape = Self.shape(of: line)
            let seen = alertsByShape[shape, default: 0]
            alertsByShape[shape] = seen + 1
            let withinBudget = seen < alertsPerShape && alertsKept < alertBudget
            if alert == .summary || alert == .exception || withinBudget || keep[i] {
                if alert == .alert, !keep[i] { alertsKept += 1 }
                keep[i] = true
                if alert == .exception { keepLastFrame(before: i, bytes, lines, &keep) }
                if verdict == .failed { keepFailureDetail(before: i, bytes, lines, &keep) }
            }
        }
        return ElidedLines.assemble(bytes, lines: lines, keep: keep)
    }

    /// What a failed test printed just before its verdict (`--- FAIL: TestAdd` after
    /// `    add_test.go:9: Add(1, 2) = 4, want 3`): the lines above it indented deeper,
    /// up to a few.
    private func keepFailureDetail(before index: Int, _ bytes: [UInt8], _ lines: [Range<Int>], _ keep: inout [Bool]) {
        let indent = ByteLines.indentation(bytes[lines[index]])
        for back in 1...Self.failureDetailLines where index - back >= 0 {
            let line = bytes[lines[index - back]]
            guard !ByteLines.isBlank(line), ByteLines.indentation(line) > indent, TestResultLine.verdict(line) == nil else { return }
            keep[index - back] = true
        }
    }

    static let failureDetailLines = 4

    /// The `File "...", line N` frame and its source line just above an exception line.
    private func keepLastFrame(before index: Int, _ bytes: [UInt8], _ lines: [Range<Int>], _ keep: inout [Bool]) {
        for back in 1...3 where index - back >= 0 {
            let line = bytes[lines[index - back]]
            keep[index - back] = true
            if ByteLines.firstIndexCaseInsensitive(line, "file \"") != nil { return }
        }
    }

    // MARK: - Line kinds

    enum Alert { case none, alert, exception, summary }

    private static let alertWords = WordSet([
        "Error", "ERROR", "error", "errors", "Errors", "Exception", "Traceback", "FAIL", "FAILED", "FAILURE",
        "Failed", "failed", "failure", "failures", "Warning", "WARNING", "warning", "warnings", "WARN", "fatal",
        "Fatal", "FATAL", "panic", "CRITICAL", "Killed", "denied", "Segmentation", "Aborted", "abort", "assert",
        "exit", "status", "unhealthy", "timeout", "TIMEOUT", "refused",
    ])

    private static let summaryWords = WordSet([
        "Ran", "passed", "PASSED", "Passed", "Total", "Successfully", "Checked", "Lines", "SUMMARY", "Summary",
        "OK", "SUCCESS", "collected", "skipped",
    ])

    /// Whether the line reports a failure, an exception, or sums up a run.
    static func alert(in line: ArraySlice<UInt8>) -> Alert {
        var result = Alert.none
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, !ByteLines.isLetter(line[index]) { index += 1 }
            let start = index
            while index < line.endIndex, ByteLines.isLetter(line[index]) { index += 1 }
            let length = index - start
            guard length >= 2, length <= 24 else { continue }
            let word = line[start..<index]
            if hasSuffix(word, "Error") || hasSuffix(word, "Exception") {
                // `ValueError: ...` ends a traceback.
                return index == line.endIndex || line[index] == UInt8(ascii: ":") ? .exception : .alert
            }
            if alertWords.contains(word) || hasSuffix(word, "Warning") {
                result = .alert
            } else if result == .none, summaryWords.contains(word) {
                result = .summary
            }
        }
        return result
    }

    private static let severeWords = WordSet([
        "Error", "ERROR", "error", "Exception", "Traceback", "FAIL", "FAILED", "fatal", "Fatal", "FATAL", "panic",
        "CRITICAL", "Segmentation", "Aborted", "unhealthy",
    ])

    /// Whether the line reports an error, not just a failed attempt (`Failed password`,
    /// `authentication failure` fill whole auth logs).
    static func isSevere(_ line: ArraySlice<UInt8>) -> Bool {
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, !ByteLines.isLetter(line[index]) { index += 1 }
            let start = index
            while index < line.endIndex, ByteLines.isLetter(line[index]) { index += 1 }
            let word = line[start..<index]
            guard word.count >= 4, word.count <= 24 else { continue }
            if severeWords.contains(word) || hasSuffix(word, "Error") || hasSuffix(word, "Exception") { return true }
        }
        return false
    }

    private static func hasSuffix(_ word: ArraySlice<UInt8>, _ suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard word.count > count else { return false }
        return ByteLines.hasPrefix(word.suffix(count), suffix)
    }

    static func isHeading(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.first == UInt8(ascii: "#") else { return false }
        let hashes = line.prefix { $0 == UInt8(ascii: "#") }.count
        return hashes <= 6 && line.count > hashes && line[line.startIndex + hashes] == 0x20
    }

    private static func isDiffChange(_ line: ArraySlice<UInt8>) -> Bool {
        guard let first = line.first else { return false }
        return first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@")
            || ByteLines.hasPrefix(line, "diff ")
    }

    /// The line's words without digits: lines differing only in numbers, times and ids
    /// share a shape.
    static func shape(of line: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, !ByteLines.isLetter(line[index]), !ByteLines.isDigit(line[index]) { index += 1 }
            let start = index
            var digit = false
            while index < line.endIndex, ByteLines.isLetter(line[index]) || ByteLines.isDigit(line[index]) {
                if ByteLines.isDigit(line[index]) { digit = true }
                index += 1
            }
            guard !digit, start < index else { continue }
            for i in start..<index {
                hash ^= UInt64(line[i])
                hash &*= 0x100_0000_01B3
            }
            hash ^= 0x20
            hash &*= 0x100_0000_01B3
        }
        return hash
    }
}
