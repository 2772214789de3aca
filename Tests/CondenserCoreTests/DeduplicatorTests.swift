import Testing

@testable import CondenserCore

@Suite struct DeduplicatorTests {
    let dedupe = Deduplicator(minimumCharacters: 40)

    func file(_ lines: Int, changing line: Int? = nil) -> String {
        (1...lines).map { n in
            "\(String(repeating: " ", count: 5 - String(n).count))\(n)\tvalue_\(n) = compute(\(n)) \(n == line ? "# edited" : "")"
        }
        .joined(separator: "\n")
    }

    func block(_ path: String) -> TextBlock {
        TextBlock(text: "", role: .toolResult, toolName: "read_file", toolArguments: #"{"path":"\#(path)"}"#)
    }

    func index(registering text: String, as block: TextBlock, at message: Int) -> Deduplicator.Index {
        var index = Deduplicator.Index()
        dedupe.register(text, fingerprint: .init(block: block, text: text), role: block.role, messageIndex: message, in: &index)
        return index
    }

    @Test func exactCopyBecomesABackwardReference() {
        let text = file(30)
        let index = index(registering: text, as: block("src/x.py"), at: 11)
        let rewritten = dedupe.rewrite(text, fingerprint: .init(block: block("src/x.py"), text: text), role: .toolResult, index: index)
        #expect(rewritten == "[same as the read_file result for src/x.py in message 12]")
    }

    @Test func nearCopyBecomesAMarkedDiff() throws {
        let old = file(60)
        let new = file(60, changing: 30)
        let index = index(registering: old, as: block("src/x.py"), at: 3)
        let rewritten = try #require(
            dedupe.rewrite(new, fingerprint: .init(block: block("src/x.py"), text: new), role: .toolResult, index: index))
        #expect(rewritten.hasPrefix("[same as the read_file result for src/x.py in message 4, except:]\n@@ -29,3 +29,3 @@"))
        #expect(rewritten.contains("+   30\tvalue_30 = compute(30) # edited"))
        #expect(rewritten.utf8.count < new.utf8.count / 3)
    }

    @Test func unrelatedOrShortTextIsLeftAlone() {
        let index = index(registering: file(30), as: block("src/x.py"), at: 1)
        let other = String(repeating: "completely different content line\n", count: 20)
        #expect(dedupe.rewrite(other, fingerprint: .init(block: block("src/y.py"), text: other), role: .toolResult, index: index) == nil)
        #expect(
            dedupe.rewrite("short", fingerprint: .init(block: block("src/x.py"), text: "short"), role: .toolResult, index: index) == nil)
    }

    @Test func exactOnlyMakesNoDiffs() {
        let old = file(60)
        let new = file(60, changing: 30)
        let index = index(registering: old, as: block("src/x.py"), at: 3)
        #expect(
            dedupe.rewrite(new, fingerprint: .init(block: block("src/x.py"), text: new), role: .toolResult, index: index, exactOnly: true)
                == nil)
    }

    func listing(_ range: ClosedRange<Int>, separator: String = "\t") -> String {
        range.map { n in "\(String(repeating: " ", count: 5 - String(n).count))\(n)\(separator)value_\(n) = compute(\(n))" }
            .joined(separator: "\n")
    }

    func lineIndex(_ text: String, as block: TextBlock, at message: Int) throws -> Deduplicator.Index {
        var index = Deduplicator.Index()
        let description = Deduplicator.Fingerprint(block: block, text: text).description
        dedupe.register(try #require(dedupe.lineSource(text, description: description, messageIndex: message)), in: &index)
        return index
    }

    @Test func anOverlappingReadNamesTheRepeatedLinesAndKeepsTheNewOnes() throws {
        let index = try lineIndex(listing(1...60), as: block("src/x.py"), at: 3)
        let new = listing(31...90)
        let rewritten = try #require(
            dedupe.rewrite(new, fingerprint: .init(block: block("src/x.py"), text: new), role: .toolResult, index: index))
        let lines = rewritten.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "[lines 31-60 same as lines 31-60 of the read_file result for src/x.py in message 4]")
        // Every new line stays verbatim, in order.
        #expect(Array(lines.dropFirst()) == listing(61...90).split(separator: "\n", omittingEmptySubsequences: false))
    }

    @Test func arrowListingsAreComparedWithoutTheirNumbers() throws {
        // An agent's reads (`    31→code`): runs and diffs name the listing's own lines.
        let index = try lineIndex(listing(1...60, separator: "→"), as: block("src/x.py"), at: 3)
        let new = listing(31...90, separator: "→")
        let rewritten = try #require(
            dedupe.rewrite(new, fingerprint: .init(block: block("src/x.py"), text: new), role: .toolResult, index: index))
        #expect(rewritten.hasPrefix("[lines 31-60 same as lines 31-60 of the read_file result for src/x.py in message 4]\n   61→value_61"))
        // A line inserted renumbers the rest; the diff compares contents, so it shows one line.
        var contents = (1...60).map { "value_\($0) = compute(\($0))" }
        contents.insert("inserted = 1", at: 30)
        let inserted = contents.enumerated().map {
            String(repeating: " ", count: 5 - String($0.offset + 1).count) + "\($0.offset + 1)→" + $0.element
        }
        .joined(separator: "\n")
        let copy = Deduplicator.Copy(messageIndex: 3, description: "the read_file result", text: listing(1...60, separator: "→"))
        let diff = try #require(Deduplicator.diff(from: copy, to: inserted, maximumRatio: 0.5))
        #expect(diff.contains("\n+   31→inserted = 1\n"))
        #expect(!diff.contains("\n-"))
    }

    @Test func linesAreSplitAsCharactersSplitThem() {
        for text in ["", "\n", "a", "a\n", "a\nb", "\n\na\n\n", "a\r\nb\nc\r\n", "\r\n\r", "é\ne\u{301}\n\u{301}x", "→\n  1→y"] {
            #expect(Deduplicator.lines(text) == text.split(separator: "\n", omittingEmptySubsequences: false), "\(text.debugDescription)")
        }
    }

    @Test func gutterIsSpacesThenDigitsThenATabOrAnArrow() {
        let cases: [(String, String?)] = [
            ("     12\tcode", "code"), ("12→code", "code"), ("  7→", ""), ("3\t", ""),
            ("12 code", nil), ("  \tcode", nil), ("   ", nil), ("123", nil), ("", nil), ("x1\tcode", nil),
            ("1 2\tcode", nil), ("12-code", nil), ("12\u{2191}code", nil),
        ]
        for (line, code) in cases {
            let substring = line[...]
            #expect(Deduplicator.gutterEnd(substring).map { String(substring[$0...]) } == code, "\(line.debugDescription)")
        }
        // In a line cut out of a longer text, too.
        let text = "head\n   42\tbody\n"
        let line = Deduplicator.lines(text)[1]
        #expect(Deduplicator.stripLineNumber(line) == "body")
    }

    @Test func anchorsAreOneInFourLongLinesByAFixedHash() {
        func fnv(_ line: String) -> UInt32 {
            line.utf8.reduce(2_166_136_261) { ($0 ^ UInt32($1)) &* 16_777_619 }
        }
        let lines = (0..<200).map { "let value\($0) = compute(\($0))" } + ["short", "1234567", "émigré résumé"]
        for line in lines {
            #expect(Deduplicator.isAnchor(line[...]) == (line.utf8.count >= 8 && fnv(line) & 3 == 0))
        }
        #expect(lines.filter { Deduplicator.isAnchor($0[...]) }.count > 20)
    }

    @Test func aFileReadBackAfterAWriteNamesTheWriteCall() throws {
        let content = (1...40).map { "def handler_\($0)(request):  return respond(request, \($0))" }.joined(separator: "\n")
        let arguments = JSONValue.object(["path": .string("app/h.py"), "content": .string(content)]).serialized()
        let write = TextBlock(text: "ok", role: .toolResult, toolName: "write_file", toolArguments: arguments)
        var index = Deduplicator.Index()
        for source in dedupe.argumentSources(of: write, callMessageIndex: 6) { dedupe.register(source, in: &index) }
        let read = (1...40).map { n in
            "\(String(repeating: " ", count: 5 - String(n).count))\(n)\t" + "def handler_\(n)(request):  return respond(request, \(n))"
        }
        .joined(separator: "\n")
        let rewritten = dedupe.rewrite(read, fingerprint: .init(block: block("app/h.py"), text: read), role: .toolResult, index: index)
        #expect(rewritten == "[lines 1-40 same as lines 1-40 of the `content` argument of the write_file call for app/h.py in message 7]")
    }

    @Test func shortRunsAndOtherRolesStay() throws {
        let index = try lineIndex(listing(1...60), as: block("src/x.py"), at: 3)
        // Four repeated lines (fewer than `minimumRunLines`) among new ones.
        let mixed = listing(10...13) + "\n" + (1...20).map { "fresh line \($0) with its own words" }.joined(separator: "\n")
        #expect(dedupe.rewrite(mixed, fingerprint: .init(block: block("src/y.py"), text: mixed), role: .toolResult, index: index) == nil)
        // Runs are for tool results; an assistant's text is left to exact copies and diffs.
        let prose = listing(5...50)
        let assistant = TextBlock(text: "", role: .assistant)
        #expect(dedupe.rewrite(prose, fingerprint: .init(block: assistant, text: prose), role: .assistant, index: index) == nil)
    }
}
