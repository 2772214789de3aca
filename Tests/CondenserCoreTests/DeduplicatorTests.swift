import Testing
@testable import CondenserCore

@Suite struct DeduplicatorTests {
    let dedupe = Deduplicator(minimumCharacters: 40)

    func file(_ lines: Int, changing line: Int? = nil) -> String {
        (1...lines).map { n in "\(String(repeating: " ", count: 5 - String(n).count))\(n)\tvalue_\(n) = compute(\(n)) \(n == line ? "# edited" : "")" }
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
        let rewritten = try #require(dedupe.rewrite(new, fingerprint: .init(block: block("src/x.py"), text: new), role: .toolResult, index: index))
        #expect(rewritten.hasPrefix("[same as the read_file result for src/x.py in message 4, except:]\n@@ -29,3 +29,3 @@"))
        #expect(rewritten.contains("+   30\tvalue_30 = compute(30) # edited"))
        #expect(rewritten.utf8.count < new.utf8.count / 3)
    }

    @Test func unrelatedOrShortTextIsLeftAlone() {
        let index = index(registering: file(30), as: block("src/x.py"), at: 1)
        let other = String(repeating: "completely different content line\n", count: 20)
        #expect(dedupe.rewrite(other, fingerprint: .init(block: block("src/y.py"), text: other), role: .toolResult, index: index) == nil)
        #expect(dedupe.rewrite("short", fingerprint: .init(block: block("src/x.py"), text: "short"), role: .toolResult, index: index) == nil)
    }

    @Test func exactOnlyMakesNoDiffs() {
        let old = file(60)
        let new = file(60, changing: 30)
        let index = index(registering: old, as: block("src/x.py"), at: 3)
        #expect(dedupe.rewrite(new, fingerprint: .init(block: block("src/x.py"), text: new), role: .toolResult, index: index, exactOnly: true) == nil)
    }
}
