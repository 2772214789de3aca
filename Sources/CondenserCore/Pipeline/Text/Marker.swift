/// The short, plain notes that stand where content was shortened. One style for every
/// stage, in square brackets, so a model reads them as notes and never as content.
enum Marker {
    /// `[... 41 lines omitted]`, or `[... 41 similar lines omitted]`.
    static func omittedLines(_ count: Int, similar: Bool = false) -> String {
        "[... \(count) \(similar ? "similar " : "")line\(count == 1 ? "" : "s") omitted]"
    }

    /// `[previous line repeated 12 more times]`
    static func repeatedLine(times: Int) -> String {
        "[previous line repeated \(times) more time\(times == 1 ? "" : "s")]"
    }

    /// `[... 3 sentences omitted]`, `[... 12 characters omitted]`: any countable unit.
    static func omitted(_ count: Int, _ unit: String) -> String {
        "[... \(count) \(unit)\(count == 1 ? "" : "s") omitted]"
    }

    /// `[same as <what> in message 12]`, a reference back to an identical earlier copy.
    static func sameAs(_ what: String, messageIndex: Int) -> String {
        "[same as \(what) in message \(messageIndex)]"
    }

    /// `[lines 40-120 same as lines 1-81 of <what> in message 9]`: a run of lines that
    /// repeats an earlier copy's, the rest of the block kept verbatim.
    static func sameLines(_ lines: ClosedRange<Int>, as source: ClosedRange<Int>, of what: String, messageIndex: Int) -> String {
        "[lines \(lines.lowerBound)-\(lines.upperBound) same as lines \(source.lowerBound)-\(source.upperBound) of \(what) in message \(messageIndex)]"
    }

    /// Free text in marker style, for notes that fit no other shape.
    static func note(_ text: String) -> String {
        "[\(text)]"
    }

    /// `[same as <what> in message 12, except:]`, heading a diff against an earlier copy.
    static func sameExcept(_ what: String, messageIndex: Int) -> String {
        "[same as \(what) in message \(messageIndex), except:]"
    }

    /// `[next 9 lines each start with "gcc -c -O2 -o "; shown without it]`, heading lines
    /// shown without a prefix they share.
    static func sharedPrefix(_ prefix: String, lines count: Int) -> String {
        "[next \(count) lines each start with \"\(prefix)\"; shown without it]"
    }

    /// `[next 3 lines: "name ..." stands for "name (test.test_x.TestY.name) ..."]`: a run of
    /// unittest result lines shown without their dotted id.
    static func unittestNames(_ id: String, lines count: Int) -> String {
        "[next \(count) lines: \"name ...\" stands for \"name (\(id)) ...\"]"
    }

    /// `[... 57 passed or skipped tests omitted]`: result lines of a test run that
    /// passed, dropped in aggressive mode.
    static func passingTests(_ count: Int) -> String {
        "[... \(count) passed or skipped test\(count == 1 ? "" : "s") omitted]"
    }
}
