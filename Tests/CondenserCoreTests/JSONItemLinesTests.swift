import Testing

@testable import CondenserCore

@Suite struct JSONItemLinesTests {
    func items(_ count: Int, note: (index: Int, text: String)? = nil) -> String {
        "[\n"
            + (0..<count).map { index in
                let name = index == note?.index ? "Item \(index) \(note!.text)" : "Item \(index)"
                return "  {\"code\": \"c\(index)\", \"name\": \"\(name)\"}"
            }.joined(separator: ",\n") + "\n]"
    }

    @Test func longArraysPutEachItemOnALine() throws {
        let laidOut = try #require(JSONItemLines.render(items(12)))
        let lines = laidOut.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 14)
        #expect(lines[1] == #"{"code":"c0","name":"Item 0"},"#)
        #expect(lines[12] == #"{"code":"c11","name":"Item 11"}"#)
        #expect(lines.last == "]")
    }

    @Test func shortArraysAndNonJSONAreLeftToOthers() {
        #expect(JSONItemLines.render(items(5)) == nil)
        #expect(JSONItemLines.render("not json [1, 2]") == nil)
    }

    @Test func arraysInsideObjectsAreLaidOutAndTheRestStaysCompact() throws {
        let text = #"{"total": 20, "results": "# + String(items(20).filter { $0 != "\n" }) + "}"
        let laidOut = try #require(JSONItemLines.render(text))
        #expect(laidOut.hasPrefix("{\"total\":20,\"results\":[\n{\"code\":\"c0\""))
        #expect(laidOut.hasSuffix("\n]}"))
    }

    @Test func recordsKeyedByIdAreItemsTooButSettingsStayWhole() throws {
        let records = "{" + (0..<15).map { #""k\#($0)": {"name": "Record \#($0)"}"# }.joined(separator: ", ") + "}"
        let laidOut = try #require(JSONItemLines.render(records))
        let lines = laidOut.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 17)
        #expect(lines[1] == #""k0":{"name":"Record 0"},"#)
        #expect(lines[15] == #""k14":{"name":"Record 14"}"#)
        #expect(lines.last == "}")
        let settings = "{" + (0..<15).map { #""key\#($0)": \#($0)"# }.joined(separator: ", ") + "}"
        #expect(JSONItemLines.render(settings) == nil)
    }

    @Test func jsonWithATrailerLineIsSummarisedAsJSON() {
        // `curl ... | jq` as an agent's harness returns it, the exit status after the document.
        let text = items(200).filter { $0 != "\n" } + "\n[exit status: 0]"
        let summary = OldTurnSummarizer().apply(text, context: BlockContext(role: .toolResult, mode: .safe))
        #expect(summary.hasPrefix("[\n{\"code\":\"c0\""))
        #expect(summary.hasSuffix("{\"code\":\"c199\",\"name\":\"Item 199\"}\n]\n[exit status: 0]"))
        #expect(summary.utf8.count < text.utf8.count / 4)
        // Pretty-printed JSON ends in a short line too: it is a document, not one with a trailer.
        #expect(OldTurnSummarizer.jsonBeforeTrailer(Array(items(20).utf8)) == nil)
    }

    @Test func anOldJSONResultKeepsItsEndsAndSaysWhatItDropped() {
        let text = items(200, note: (120, "(id QRX-8228)"))
        let summary = OldTurnSummarizer().apply(text, context: BlockContext(role: .toolResult, mode: .safe))
        #expect(summary.hasPrefix("[\n{\"code\":\"c0\""))
        #expect(summary.contains("QRX-8228"))
        #expect(summary.contains("{\"code\":\"c199\",\"name\":\"Item 199\"}\n]"))
        #expect(summary.contains("lines omitted]"))
        #expect(summary.utf8.count < text.utf8.count / 4)
    }
}
