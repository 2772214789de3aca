import Testing

@testable import CondenserCore

@Suite struct CodeOutlineTests {
    let outline = CodeOutline()

    static let python = """
        \"\"\"A small client.\"\"\"

        import os
        from socket import create_connection

        DEFAULT_PORT = 110
        NAMESPACE = "kestrel-35"


        class Client:
            \"\"\"Talks to the server.

            Longer explanation that nobody needs in an outline.
            \"\"\"

            def __init__(self, host, port=DEFAULT_PORT):
                self.host = host
                self.port = port
                self.sock = create_connection((host, port))
                self.file = self.sock.makefile('rb')
                self.welcome = self._getresp()

            @property
            def closed(self):
                return self.sock is None

            def quit(self):
                # TODO: handle a server that never answers
                resp = self._shortcmd('QUIT')
                self.close()
                self.cleanup()
                self.reset()
                return resp
        """

    @Test func keepsImportsConstantsSignaturesDecoratorsAndDocstrings() {
        let result = outline.outline(Self.python)
        for kept in [
            "import os", "from socket import create_connection", "DEFAULT_PORT = 110", "NAMESPACE = \"kestrel-35\"",
            "class Client:", "    \"\"\"Talks to the server.", "    def __init__(self, host, port=DEFAULT_PORT):",
            "    @property", "    def closed(self):", "    def quit(self):", "        # TODO: handle a server that never answers",
        ] {
            #expect(result.contains(kept), "missing \(kept)")
        }
        #expect(!result.contains("self.file = self.sock.makefile"))
        #expect(!result.contains("Longer explanation"))
        #expect(result.contains(Marker.omittedLines(5)))
        #expect(result.utf8.count < Self.python.utf8.count)
    }

    @Test func keepsLineNumberPrefixesOfKeptLines() {
        let numbered = Self.python.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { String(format: "%5d\t", $0.offset + 100) + $0.element }.joined(separator: "\n")
        let result = outline.outline(numbered)
        #expect(result.contains("  115\t    def __init__(self, host, port=DEFAULT_PORT):"))
        #expect(result.contains("  106\tNAMESPACE = \"kestrel-35\""))
        #expect(!result.contains("self.file = self.sock.makefile"))
    }

    @Test func keepsArrowLineNumberPrefixesOfKeptLines() {
        let numbered = Self.python.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { String(format: "%6d", $0.offset + 100) + "→" + $0.element }.joined(separator: "\n")
        let result = outline.outline(numbered)
        #expect(result.contains("   115→    def __init__(self, host, port=DEFAULT_PORT):"))
        #expect(result.contains("   106→NAMESPACE = \"kestrel-35\""))
        #expect(!result.contains("self.file = self.sock.makefile"))
    }

    @Test func aListingsEmptyLinesAreNotKeptAsStatements() {
        // After trailing whitespace goes, `   104\t` (an empty line) is `104` alone.
        let numbered = Self.python.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.element.isEmpty ? "\($0.offset + 100)" : "\($0.offset + 100)\t" + $0.element }.joined(separator: "\n")
        let lines = outline.outline(numbered).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains("115\t    def __init__(self, host, port=DEFAULT_PORT):"))
        // The same lines and markers as the outline of the text without numbers.
        #expect(lines.count == outline.outline(Self.python).split(separator: "\n", omittingEmptySubsequences: false).count)
    }

    @Test func keepsIndentedLinesWithRareIds() {
        let code = """
            func deploy() {
                let a = 1
                let b = 2
                let c = 3
                let target = "release/juniper-71"
                let d = 4
                let e = 5
                let f = 6
            }
            """
        let result = outline.outline(code)
        #expect(result.contains("    let target = \"release/juniper-71\""))
        #expect(result.contains("func deploy() {"))
        #expect(!result.contains("let e = 5"))
    }

    @Test func recognisesSignaturesAcrossLanguages() {
        #expect(CodeOutline.isSignature(ArraySlice("public static func make(_ x: Int) -> Int {".utf8)))
        #expect(CodeOutline.isSignature(ArraySlice("async def fetch(url):".utf8)))
        #expect(CodeOutline.isSignature(ArraySlice("pub fn parse(input: &str) -> Result<(), E> {".utf8)))
        #expect(CodeOutline.isSignature(ArraySlice("render(props) {".utf8)))
        #expect(!CodeOutline.isSignature(ArraySlice("if (x) {".utf8)))
        #expect(!CodeOutline.isSignature(ArraySlice("const x = f(y) {".utf8)))
        #expect(!CodeOutline.isSignature(ArraySlice("return value".utf8)))
    }

    @Test func aTopLevelCommentBlockKeepsItsFirstLineAndRareIds() {
        let code = """
            # This file is part of Fail2Ban.
            #
            # Fail2Ban is free software; you can redistribute it and/or modify
            # it under the terms of the GNU General Public License as published by
            # the Free Software Foundation; either version 2 of the License, or
            # (at your option) any later version. See ticket FLT-8157.
            #include <stdio.h>

            # Raised when an attempt is made to modify a frozen class.
            class FrozenInstanceError(AttributeError): pass
            // A C++ style note
            // that goes on to explain at length what the next function does with its arguments,
            // and why, in more words than an outline of the file has any use for.
            """
        let result = outline.outline(code)
        #expect(result.contains("# This file is part of Fail2Ban.\n"))
        #expect(!result.contains("GNU General Public License"))
        // A rare id keeps its line, a directive is code, and a block after a blank line names what follows.
        #expect(result.contains("(at your option) any later version. See ticket FLT-8157."))
        #expect(result.contains("#include <stdio.h>"))
        #expect(result.contains("# Raised when an attempt is made to modify a frozen class.\nclass FrozenInstanceError"))
        #expect(result.contains("// A C++ style note") && !result.contains("that goes on"))
        #expect(outline.outline(result) == result)
    }

    @Test func outlineOfAnOutlineIsTheSame() {
        let once = outline.outline(Self.python)
        #expect(outline.outline(once) == once)
    }

    @Test func shortCodeIsUnchanged() {
        let code = "def f():\n    return 1\n"
        #expect(outline.outline(code) == code)
    }
}
