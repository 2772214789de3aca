/// Stage `unittest`: in Python unittest's verbose output, where every line names its test
/// twice (`test_stat (test.test_poplib.TestPOP3Class.test_stat) ... ok`), a run of three or
/// more lines of one test class states the class once, in a marker that spells out the
/// substitution, and the lines keep the test name and result:
///
///     [next 3 lines: "name ..." stands for "name (test.test_poplib.TestPOP3Class.name) ..."]
///     test_stat ... ok
///     test_list ... ok
///     test_quit ... FAIL
///
/// Nothing is lost: each line reads back exactly. Python before 3.11 prints the class alone
/// (`test_stat (test.test_poplib.TestPOP3Class) ... ok`); its runs get a marker without
/// the trailing name. A summary unfolds the text first (`unfolded`), so it never keeps a
/// line without its marker.
struct UnittestNameFolder: TextStage {
    let name = "unittest"

    static let minimumRun = 3
    // The parts of `Marker.unittestNames` around its count and id, to read markers back.
    static let markerStart = "[next "
    static let markerMiddle: StaticString = " lines: \"name ...\" stands for \"name ("
    static let markerEnd = ") ...\"]"

    init() {}

    func apply(_ text: String, context: BlockContext) -> String {
        guard context.role == .toolResult else { return text }
        return JSONWrappedText.applying(Self.fold, to: text)
    }

    /// One verbose result line: `name (id) ...rest`, where `id` is the class's dotted path,
    /// followed by `.name` since Python 3.11.
    struct ResultLine: Equatable {
        var name: ArraySlice<UInt8>
        /// The dotted path of the test's class.
        var suite: ArraySlice<UInt8>
        /// Whether the id repeats the name after the class (Python 3.11 and later).
        var repeatsName: Bool
        /// From the space before `...` to the end of the line.
        var rest: ArraySlice<UInt8>

        /// What stands in the marker for the part in brackets.
        var pattern: [UInt8] { Array(suite) + (repeatsName ? Array(".name".utf8) : []) }
    }

    static func fold(_ text: String) -> String {
        guard text.utf8.count >= 64 else { return text }
        let bytes = Array(text.utf8)
        // Every result line holds " ... "; most tool output doesn't. Searched as bytes:
        // `String.contains` goes through Foundation's string search, far slower.
        guard ByteLines.containsCaseInsensitive(bytes[...], " ... ") else { return text }
        let ranges = ByteLines.split(bytes)
        let parsed = ranges.map { parse(bytes[$0]) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var changed = false
        var i = 0
        while i < ranges.count {
            guard let first = parsed[i] else {
                append(bytes[ranges[i]], to: &out)
                i += 1
                continue
            }
            var end = i + 1
            while end < ranges.count, let next = parsed[end], next.suite == first.suite, next.repeatsName == first.repeatsName {
                end += 1
            }
            if end - i >= minimumRun {
                out.append(contentsOf: marker(count: end - i, pattern: first.pattern))
                out.append(0x0A)
                for case let line? in parsed[i..<end] {
                    out.append(contentsOf: line.name)
                    append(line.rest, to: &out)
                }
                changed = true
            } else {
                for index in i..<end { append(bytes[ranges[index]], to: &out) }
            }
            i = end
        }
        guard changed else { return text }
        out.removeLast() // lines are joined by newlines, as split them
        return String(decoding: out, as: UTF8.self)
    }

    /// The text with every marked run written out again; nil when there is none.
    static func unfolded(_ text: String) -> String? {
        guard ByteLines.contains(text, markerMiddle) else { return nil }
        let bytes = Array(text.utf8)
        let ranges = ByteLines.split(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        var changed = false
        var i = 0
        while i < ranges.count {
            let line = bytes[ranges[i]]
            guard let (count, pattern) = parseMarker(line), i + count < ranges.count else {
                append(line, to: &out)
                i += 1
                continue
            }
            for index in (i + 1)...(i + count) {
                let shown = bytes[ranges[index]]
                guard let space = shown.firstIndex(of: 0x20) else {
                    append(shown, to: &out)
                    continue
                }
                let name = shown[..<space]
                out.append(contentsOf: name)
                out.append(contentsOf: " (".utf8)
                out.append(contentsOf: pattern.suite)
                if pattern.hasSuffixName {
                    out.append(0x2E)
                    out.append(contentsOf: name)
                }
                out.append(0x29)
                append(shown[space...], to: &out)
            }
            changed = true
            i += count + 1
        }
        guard changed else { return nil }
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }

    static func marker(count: Int, pattern: [UInt8]) -> [UInt8] {
        Array(Marker.unittestNames(String(decoding: pattern, as: UTF8.self), lines: count).utf8)
    }

    static func parseMarker(_ line: ArraySlice<UInt8>) -> (count: Int, pattern: (suite: [UInt8], hasSuffixName: Bool))? {
        let start = Array(markerStart.utf8)
        let middle = Array(markerMiddle.description.utf8)
        let end = Array(markerEnd.utf8)
        guard line.starts(with: start), line.count > start.count + middle.count + end.count, Array(line.suffix(end.count)) == end else {
            return nil
        }
        let afterStart = line.dropFirst(start.count)
        let digits = afterStart.prefix { $0 &- 0x30 < 10 }
        guard let count = Int(String(decoding: digits, as: UTF8.self)), count > 0 else { return nil }
        let afterDigits = afterStart.dropFirst(digits.count)
        guard afterDigits.starts(with: middle) else { return nil }
        var pattern = Array(afterDigits.dropFirst(middle.count).dropLast(end.count))
        let suffix = Array(".name".utf8)
        let hasSuffixName = pattern.count > suffix.count && Array(pattern.suffix(suffix.count)) == suffix
        if hasSuffixName { pattern.removeLast(suffix.count) }
        return (count, (pattern, hasSuffixName))
    }

    /// `name (dotted.id) ...rest`, with `name` an identifier and the id at least two
    /// dotted parts; nil for any other line.
    static func parse(_ line: ArraySlice<UInt8>) -> ResultLine? {
        let name = line.prefix(while: isIdentifierByte)
        guard !name.isEmpty, name.first! &- 0x30 >= 10 else { return nil }
        var rest = line.dropFirst(name.count)
        guard rest.starts(with: [0x20, 0x28]) else { return nil } // " ("
        rest = rest.dropFirst(2)
        let id = rest.prefix { isIdentifierByte($0) || $0 == 0x2E }
        rest = rest.dropFirst(id.count)
        guard rest.first == 0x29, id.contains(0x2E) else { return nil } // ")"
        rest = rest.dropFirst()
        // Only a result line: the name and id, then " ..." (and the outcome, if printed yet).
        guard rest.starts(with: Array(" ...".utf8)) else { return nil }
        let dottedName: [UInt8] = [0x2E] + Array(name)
        if id.count > dottedName.count, Array(id.suffix(dottedName.count)) == dottedName {
            return ResultLine(name: name, suite: id.dropLast(dottedName.count), repeatsName: true, rest: rest)
        }
        return ResultLine(name: name, suite: id, repeatsName: false, rest: rest)
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        byte == 0x5F || byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 26
    }

    static func append(_ line: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: line)
        out.append(0x0A)
    }

}
