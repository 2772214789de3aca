import Testing

@testable import CondenserCore

@Suite struct ContentSnifferTests {
    @Test func recognisesSourceCode() {
        let text = "import os\n\nclass Loader:\n    def load(self, path):\n        with open(path) as f:\n            return f.read()\n"
        #expect(ContentSniffer.kind(of: text) == .sourceCode)
    }

    @Test func recognisesConfiguration() {
        let text = "[sshd]\nenabled  = true\nport     = ssh\nmaxretry = 3\n"
        #expect(ContentSniffer.kind(of: text) == .sourceCode)
    }

    @Test func recognisesNumberedListings() {
        let text = "     1\timport os\n     2\t\n     3\tdef f():\n     4\t    return 1\n"
        #expect(ContentSniffer.kind(of: text) == .numberedListing)
    }

    @Test func recognisesArrowListings() {
        // As coding agents print a file they read: the number padded to six, then an arrow.
        let text = "     1→import os\n     2→\n     3→def f():\n     4→    return 1\n"
        #expect(ContentSniffer.kind(of: text) == .numberedListing)
        // Unpadded, as the whitespace stage leaves it, and not code.
        #expect(ContentSniffer.kind(of: "1→Build started\n2→Linking app\n3→Done in 4 s\n") == .numberedListing)
    }

    @Test func gutterWidthCoversTheNumberAndItsSeparator() {
        func width(_ line: String) -> Int { ContentSniffer.gutterWidth(Array(line.utf8)[...]) }
        #expect(width("    12\tcode") == 7)
        #expect(width("    12→code") == 9)
        #expect(width("12→") == 5)
        #expect(width("12 code") == 0)
        #expect(width("→code") == 0)
        #expect(width("12345678\tcode") == 0)
    }

    @Test func recognisesDiffs() {
        let text = "diff --git a/x.py b/x.py\nindex 1..2 100644\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n context\n-old\n+new\n"
        #expect(ContentSniffer.kind(of: text) == .diff)
    }

    @Test func recognisesJSON() {
        #expect(ContentSniffer.kind(of: "{\n  \"a\": [1, 2]\n}") == .json)
        #expect(ContentSniffer.kind(of: "[{\"a\": 1}]") == .json)
        #expect(ContentSniffer.kind(of: "{% block body %}{% endblock %}") != .json)
    }

    @Test func recognisesHTML() {
        #expect(ContentSniffer.kind(of: "\n<!DOCTYPE html>\n<html lang=\"en\"><body><p>x</p></body></html>") == .html)
        #expect(ContentSniffer.kind(of: "Use the <html> element as the root.") != .html)
    }

    @Test func recognisesLogs() {
        let text = """
            Mar  3 10:01:02 host sshd[12]: Failed password for root from 192.0.2.1 port 22 ssh2
            Mar  3 10:01:05 host sshd[12]: Failed password for root from 192.0.2.1 port 22 ssh2
            2025-03-03T10:01:07Z worker: started
            """
        #expect(ContentSniffer.kind(of: text) == .log)
    }

    @Test func aUnittestListingIsOutputNotProse() {
        // Each result line reads like a sentence; a run of them is test output.
        var lines = ["== CPython 3.11.7+ (heads/main:348758eed7) [GCC 12.2.0]", "Using random seed 6141049"]
        lines += (0..<30).map { "test_case_\($0) (test.test_socket.GeneralModuleTests.test_case_\($0)) ... ok" }
        #expect(ContentSniffer.kind(of: lines.joined(separator: "\n")) == .log)
    }

    @Test func recognisesProse() {
        let text =
            "The service reads its configuration at start up and keeps it in memory.\nChanges need a restart, which the operator can trigger from the console.\n"
        #expect(ContentSniffer.kind(of: text) == .prose)
    }

    @Test func commandOutputIsMixed() {
        let text =
            "Collecting pytest>=8\n  Downloading pytest-8.3.3-py3-none-any.whl (342 kB)\nSuccessfully installed pytest-8.3.3\n[exit status: 0]\n"
        #expect(ContentSniffer.kind(of: text) == .mixed)
    }

    @Test func rememberedKindsAreThoseOfTheBytesAndLinesAsked() {
        // The same bytes cut into other lines are another question: only the code lines
        // of a prose-and-code text are code.
        let prose = (0..<12).map { _ in "The service reads its configuration at start up and keeps it in memory." }
        let code = (0..<2).map { "    value_\($0) = compute(\($0))  # step" }
        let bytes = Array((prose + code).joined(separator: "\n").utf8)
        let lines = ByteLines.split(bytes)
        let codeLines = Array(lines.suffix(2))
        for _ in 0..<3 {
            #expect(ContentSniffer.kind(of: bytes, lines: lines) == .prose)
            #expect(ContentSniffer.kind(of: bytes, lines: codeLines) == .sourceCode)
        }
        // More blocks than are remembered, asked about twice, in turn.
        let texts = (0..<20).map { index in index % 2 == 0 ? "line \(index) of some text output" : "def f\(index)(x):\n    return x\n" }
        let first = texts.map { ContentSniffer.kind(of: $0) }
        #expect(texts.map { ContentSniffer.kind(of: $0) } == first)
        #expect(first[1] == .sourceCode)
    }

    @Test func verbatimKinds() {
        #expect(ContentSniffer.Kind.sourceCode.isVerbatim)
        #expect(ContentSniffer.Kind.diff.isVerbatim)
        #expect(!ContentSniffer.Kind.log.isVerbatim)
        #expect(!ContentSniffer.Kind.prose.isVerbatim)
    }
}
