import Testing

@testable import CondenserCore

@Suite struct WhitespaceNormalizerTests {
    let stage = WhitespaceNormalizer()
    let tool = BlockContext(role: .toolResult)
    let assistant = BlockContext(role: .assistant)

    @Test func trailingSpacesCRLFAndBlankRuns() {
        let text = "The build finished.   \r\nIt took 3 minutes.\t\r\n\r\n\r\n\r\n\r\nNext we run the tests.\r\n"
        #expect(stage.apply(text, context: tool) == "The build finished.\nIt took 3 minutes.\n\nNext we run the tests.\n")
    }

    @Test func anAllBlankTextNeverGainsANewline() {
        for context in [tool, assistant] {
            #expect(stage.apply("  \n", context: context) == "\n")
            #expect(stage.apply(" \t \n  \n\n\n", context: context) == "\n")
            // No newline to keep: nothing is left, which the pipeline never takes.
            #expect(stage.apply("   ", context: context) == "")
        }
    }

    @Test func twoBlankLinesStay() {
        let text = "first paragraph here\n\n\nsecond paragraph here\n"
        #expect(stage.apply(text, context: assistant) == text)
    }

    @Test func longSpaceRunsInProseBecomeOneSpace() {
        let text = "This sentence has    too many spaces in it.\nAnd this one is fine as it stands today.\n"
        #expect(
            stage.apply(text, context: assistant) == "This sentence has too many spaces in it.\nAnd this one is fine as it stands today.\n")
    }

    @Test func indentationIsNeverTouched() {
        let text = "Steps to follow for the release:\n  - build    the package\n      - nested   item here\n"
        #expect(
            stage.apply(text, context: assistant) == "Steps to follow for the release:\n  - build the package\n      - nested item here\n")
    }

    @Test func fencedCodeKeepsItsSpacing() {
        let text = """
            Here is the    fix you asked for today:

            ```python
            x    = 1   # aligned
            yy   = 2   # aligned


            \("")
            def f():
                return  x
            ```
            Done    now.
            """
        let expected = """
            Here is the fix you asked for today:

            ```python
            x    = 1   # aligned
            yy   = 2   # aligned


            \("")
            def f():
                return  x
            ```
            Done now.
            """
        #expect(stage.apply(text, context: assistant) == expected)
    }

    @Test func sourceCodeKeepsBlankLinesAndInteriorSpacing() {
        let text = "import os\n\n\n\n\ndef main():   \n    value  =  os.getcwd()\n    return value\n"
        #expect(stage.apply(text, context: tool) == "import os\n\n\n\n\ndef main():\n    value  =  os.getcwd()\n    return value\n")
    }

    @Test func numberedListingKeepsTabsAndSpacing() {
        // The padding before each number goes; the number, the tab and the line stay.
        let text = "     1\t[DEFAULT]\n     2\tbantime  = 1h\n     3\t\n     4\tmaxretry = 5\n"
        #expect(stage.apply(text, context: tool) == "1\t[DEFAULT]\n2\tbantime  = 1h\n3\n4\tmaxretry = 5\n")
    }

    @Test func arrowListingLosesOnlyItsGutterPadding() {
        let text = "     1→[DEFAULT]\n     2→bantime  = 1h   \n     3→\n     4→    maxretry = 5\n"
        #expect(stage.apply(text, context: tool) == "1→[DEFAULT]\n2→bantime  = 1h\n3→\n4→    maxretry = 5\n")
        // Padding before a number that no arrow or tab follows is indentation, and stays.
        let list = "Counts:\n     12 apples\n     13 pears\n     14 plums\n"
        #expect(stage.apply(list, context: tool) == list)
    }

    @Test func theQuickScanPassesEveryTextThatChanges() {
        // Each of these changes; the scan must let it through to the full pass.
        let tool = ["a \nb", "a\t", "a\r\nb", "a\n\n\n\nb", "a\n\n\n", "     1\tx\n     2\ty\n", "   a\n   b"]
        for text in tool {
            #expect(WhitespaceNormalizer.normalize(text, interior: false, toolOutput: true) != text, "\(text)")
            #expect(WhitespaceNormalizer.mayChange(Array(text.utf8), interior: false, toolOutput: true), "\(text)")
        }
        #expect(WhitespaceNormalizer.mayChange(Array("The  end.".utf8), interior: true, toolOutput: false))
        // Each of these stays as it is, and the scan says so.
        let unchanged = ["a\nb\n", "def f():\n    return 1\n", "a\n\n\nb", "[12 lines omitted]\n  b\nc", "x  y"]
        for text in unchanged {
            #expect(!WhitespaceNormalizer.mayChange(Array(text.utf8), interior: false, toolOutput: true), "\(text)")
            #expect(WhitespaceNormalizer.normalize(text, interior: false, toolOutput: true) == text)
        }
    }

    @Test func fencedDiffsKeepTheirContextSpaces() {
        let text = "The change:\n```diff\n@@ -1,2 +1,2 @@\n \n-a = 1\n+a = 2\n```\n"
        #expect(stage.apply(text, context: assistant) == text)
    }

    @Test func diffContextLinesKeepTheirSpace() {
        let text = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n \n-a = 1 \n+a = 2\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func alignedColumnsStay() {
        let text = """
            The pods right now, as you can see below:
            NAME        STATUS    AGE
            web-1       Running   3d
            worker-2    Pending   5m
            """
        #expect(stage.apply(text, context: assistant) == text)
    }

    @Test func toolOutputKeepsInteriorSpacing() {
        let text = "srv sshd[1556]: authentication failure; rhost=192.0.2.113  user=rda   \nLib/a.py:12:        return  x\n"
        #expect(
            stage.apply(text, context: tool)
                == "srv sshd[1556]: authentication failure; rhost=192.0.2.113  user=rda\nLib/a.py:12:        return  x\n")
    }

    @Test func unchangedTextIsReturnedAsIs() {
        let text = "nothing to do here\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func isIdempotent() {
        let text = "a  b   c\r\n\n\n\n\nd    e\nNAME   AGE\nweb    3d\n```\n  x   y  \n```\n\n\n\n"
        let once = stage.apply(text, context: assistant)
        #expect(once != text)
        #expect(stage.apply(once, context: assistant) == once)
    }
}

extension WhitespaceNormalizerTests {
    @Test func caretLinesAndCompilerSnippetsKeepTheirColumns() {
        let text = """
            Objects/call.c:5397:31: warning: 'size' may be used uninitialized
             5397 |     Py_ssize_t n;
                  |                ^
            - foo bar
            ?       ^
            + foo baq
            ?       ^
            """
        #expect(stage.apply(text, context: assistant) == text)
    }
}

extension WhitespaceNormalizerTests {
    @Test func listingGuttersLoseOnlyTheirPadding() {
        let text = """
                98\t    def quit(self):
                99\t        \"\"\"Signoff: commit changes on server, unlock mailbox, close connection.\"\"\"
               100\t        resp =   self._shortcmd('QUIT')
               101\t  42 apples\t
                   [... 12 lines omitted]
               114\t        return resp
            """
        let expected = """
            98\t    def quit(self):
            99\t        \"\"\"Signoff: commit changes on server, unlock mailbox, close connection.\"\"\"
            100\t        resp =   self._shortcmd('QUIT')
            101\t  42 apples
                   [... 12 lines omitted]
            114\t        return resp
            """
        #expect(stage.apply(text, context: tool) == expected)
        // Elsewhere, and in what people write, a number at a line's start keeps its spaces.
        let message = "Counts:\n     12\tapples\n     13\tpears\n     14\tplums\n"
        #expect(stage.apply(message, context: assistant) == message)
    }

    @Test func plainToolOutputLosesTheIndentationAllItsLinesShare() {
        let text = """
               [1]Python logo

               logging — Logging facility for Python

               Source code: Lib/logging/__init__.py

                 * Logger Objects
                 * Handler Objects
            """
        let expected = """
            [1]Python logo

            logging — Logging facility for Python

            Source code: Lib/logging/__init__.py

              * Logger Objects
              * Handler Objects
            """
        #expect(stage.apply(text, context: tool) == expected)
        // Only what every line shares: a tab and spaces have nothing in common.
        let mixed = "\tfirst line of output here\n  second line of output here\n"
        #expect(stage.apply(mixed, context: tool) == mixed)
    }

    @Test func anEarlierStagesNoteDoesNotStopTheDedent() {
        let text = "[page navigation omitted]\n\n   socket — Low-level networking interface\n\n   Source code: Lib/socket.py\n"
        #expect(
            stage.apply(text, context: tool)
                == "[page navigation omitted]\n\nsocket — Low-level networking interface\n\nSource code: Lib/socket.py\n")
    }

    @Test func codeDiffsAndMessagesKeepTheirIndentation() {
        let code = "    def quit(self):\n        resp = self._shortcmd('QUIT')\n        return resp\n"
        #expect(stage.apply(code, context: tool) == code)
        let diff = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n     a = 1\n-    b = 2\n+    b = 3\n"
        #expect(stage.apply(diff, context: tool) == diff)
        let prose = "   The build finished without errors today.\n   All the tests passed on the first run.\n"
        #expect(stage.apply(prose, context: assistant) == prose)
    }

    @Test func dedentsInsideJSONWrappedOutput() throws {
        let output = "   Source code: Lib/socket.py\n\n   This module provides access to sockets.\n"
        let wrapped = JSONValue.object(["exit_code": .number("0"), "output": .string(output)]).serialized()
        let object = try #require(try JSONParser.parse(stage.apply(wrapped, context: tool)).objectValue)
        #expect(object["output"]?.stringValue == "Source code: Lib/socket.py\n\nThis module provides access to sockets.\n")
    }
}
