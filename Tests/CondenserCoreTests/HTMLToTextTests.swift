import Testing

@testable import CondenserCore

@Suite struct HTMLToTextTests {
    let stage = HTMLToText()
    let tool = BlockContext(role: .toolResult)

    static let page = """

        <!DOCTYPE html>
        <html lang="en">
          <head>
            <title>widgets &#8212; Widget toolkit</title>
            <script src="jquery.js"></script>
            <style>body { color: red; }</style>
          </head>
        <body>
        <nav class="menu" role="navigation"><h3>Table of Contents</h3><ul><li><a href="#a">Widgets</a></li></ul></nav>
        <div class="related" role="navigation" aria-label="related navigation"><h3>Navigation</h3>
          <ul><li><a href="genindex.html">index</a></li><li><a href="next.html">next</a> |</li></ul></div>
        <div class="document"><div class="body" role="main">
        <section id="widgets">
        <h1>widgets &#8212; Widget toolkit<a class="headerlink" href="#widgets" title="Permalink">¶</a></h1>
        <p>The <code class="xref"><span class="pre">widgets</span></code> module builds
           small &amp; fast <a href="https://example.org/ui">user interfaces</a>.</p>
        <ul>
        <li><p>First item</p></li>
        <li><p>Second item with <a href="https://example.org/spec">https://example.org/spec</a></p>
          <ol><li>nested one</li><li>nested two</li></ol></li>
        </ul>
        <div class="highlight"><pre><span class="gp">&gt;&gt;&gt; </span><span class="n">w</span> <span class="o">=</span> <span class="n">Widget</span><span class="p">(</span><span class="s2">&quot;ok&quot;</span><span class="p">)</span>
        <span class="gp">... </span>    <span class="n">indented</span>
        </pre></div>
        <table><thead><tr><th><p>Name</p></th><th><p>Size</p></th></tr></thead>
        <tbody><tr><td><p>button</p></td><td><p>12 px</p></td></tr></tbody></table>
        </section>
        </div></div>
        <div class="sphinxsidebar" role="navigation"><h3>This Page</h3><ul><li>Show Source</li></ul>
        <input placeholder="Quick search" /></div>
        <div class="footer">&copy; Copyright 2001-2026, Widget Foundation.</div>
        </body>
        </html>
        [exit status: 0]
        """

    @Test func convertsTheMainContentAndDropsTheChrome() {
        let expected = """
            [HTML page converted to text; navigation, scripts and styles omitted]

            # widgets — Widget toolkit

            The widgets module builds small & fast user interfaces.

            - First item
            - Second item with https://example.org/spec
              1. nested one
              2. nested two

            ```
            >>> w = Widget("ok")
            ...     indented
            ```

            Name | Size
            button | 12 px

            [exit status: 0]
            """
        #expect(stage.apply(Self.page, context: tool) == expected)
    }

    @Test func withoutAMainElementTheBodyIsRenderedWithoutNavigation() {
        let text =
            "<html><body><header>Site</header><nav><a href='/'>Home</a></nav><h2>Title</h2><p>Body&nbsp;text &lt;here&gt; &#x41;&#66; &unknown;</p><footer>(c)</footer></body></html>"
        let expected =
            "[HTML page converted to text; navigation, scripts and styles omitted]\n\n## Title\n\nBody text <here> AB &unknown;\n"
        #expect(stage.apply(text, context: tool) == expected)
    }

    static let scripts = String(repeating: "<script src='static/lib.js'></script>", count: 4)

    @Test func truncatedPagesAreTolerated() {
        let text =
            "<!DOCTYPE html>\n<html><head>\(Self.scripts)</head><body><div role=\"main\"><h1>Partial</h1><p>First paragraph.</p><p>Cut off here <a href=\"x"
        let result = stage.apply(text, context: tool)
        #expect(
            result
                == "[HTML page converted to text; navigation, scripts and styles omitted]\n\n# Partial\n\nFirst paragraph.\n\nCut off here\n"
        )
    }

    @Test func aBreakAfterPreformattedTextEndingInNewlinesAddsNone() {
        // In a `<pre>`, each `<br>` is a newline at once; the paragraph's break asks for two.
        let text = "<html><body><div role=\"main\"><pre>a<br><br><br><p>b</p></pre><p>after</p></div></body></html>"
        let result = HTMLToText.convert(text)
        #expect(result.contains("a\n\n\nb"))
        #expect(result.contains("after"))
    }

    @Test func onlyToolResultsAreConverted() {
        #expect(stage.apply(Self.page, context: BlockContext(role: .assistant)) == Self.page)
        #expect(stage.apply(Self.page, context: BlockContext(role: .user)) == Self.page)
    }

    @Test func prosePassesThroughUnchanged() {
        let text = "Use <b>bold</b> sparingly; a < b and c > d.\nNavigation is hard.\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    static let dump = """
           [1] [Logo]
           ____________________ [Go]

           [2]Table of Contents

             * [3]widgets — Widget toolkit
               * [4]Functions

           Previous topic

           [5]gadgets — Gadget toolkit

           Next topic

           [6]gizmos — Gizmo toolkit

           This Page

             * [7]Report a Bug
             * [8]Show Source

           Navigation

             * [9]index
             * [10]modules |
             * [11]Python »
             *
             ____________________ [Go]
             |

           [12]widgets — Widget toolkit[13]¶

           The widgets module builds small interfaces; see [14]gadgets and values[0]
           for details. Footnote [1] stays.

             >>> w = Widget(items[1])

           [15]Table of Contents

             * [16]widgets — Widget toolkit

           Navigation

             * [17]index
             ____________________ [Go]
             |
           © [18]Copyright 2001-2026, Widget Foundation.
           Last updated on May 01, 2026.

        References

           1. https://example.org/
           2. https://example.org/contents.html
          18. https://example.org/copyright.html
        [exit status: 0]

        """

    @Test func textDumpLosesItsNavigationButKeepsTheBody() {
        let expected = """
            [page navigation omitted]

               widgets — Widget toolkit

               The widgets module builds small interfaces; see gadgets and values[0]
               for details. Footnote [1] stays.

                 >>> w = Widget(items[1])

            [... 5 link reference lines omitted]

            [exit status: 0]

            """
        #expect(stage.apply(Self.dump, context: tool) == expected)
    }

    @Test func aSingleChromeWordIsNotADump() {
        let text = "Navigation\n\nThe navigation module computes routes.\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func convertsInsideJSONWrappedOutput() {
        let text =
            #"{"exit_code": 0, "output": "<!DOCTYPE html>\n<html><head>"# + Self.scripts
            + #"</head><body><main><h1>T</h1><p>a &amp; b</p></main></body></html>\n"}"#
        let expected =
            #"{"exit_code":0,"output":"[HTML page converted to text; navigation, scripts and styles omitted]\n\n# T\n\na & b\n"}"#
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func isIdempotent() {
        for text in [Self.page, Self.dump] {
            let once = stage.apply(text, context: tool)
            #expect(once != text)
            #expect(stage.apply(once, context: tool) == once)
        }
    }
}

extension HTMLToTextTests {
    @Test func localHTMLFilesStayAsSource() {
        let read = BlockContext(role: .toolResult, toolName: "read_file", toolArguments: #"{"path": "site/index.html"}"#)
        #expect(stage.apply(Self.page, context: read) == Self.page)
        let cat = BlockContext(role: .toolResult, toolName: "run_command", toolArguments: #"{"command": "cat site/index.html"}"#)
        #expect(stage.apply(Self.page, context: cat) == Self.page)
        let fetch = BlockContext(
            role: .toolResult, toolName: "run_command",
            toolArguments: #"{"command": "curl -sL https://example.org/widgets.html"}"#)
        #expect(stage.apply(Self.page, context: fetch) != Self.page)
    }

    @Test func aPageCutInsideItsNavigationStillShowsItsContent() {
        let text =
            "<!DOCTYPE html>\n<html><head><title>cut &#8212; Docs</title>\(Self.scripts)</head><body>"
            + "<div class=\"related\" role=\"navigation\"><ul><li>index</li>\n... [output truncated: 5120 characters omitted] ...\n"
            + "<dl><dt>cut.run()</dt><dd><p>Runs it.</p></dd></dl></body></html>"
        let expected =
            "[HTML page converted to text; navigation, scripts and styles omitted]\n\n"
            + "... [output truncated: 5120 characters omitted] ...\n\ncut.run()\n\nRuns it.\n"
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func aPageCutBeforeItsContentKeepsItsTitle() {
        let text = "<!DOCTYPE html>\n<html><head><title>cut &#8212;\n Docs</title>\(Self.scripts)</head><body><nav><ul><li>index</li>"
        #expect(
            stage.apply(text, context: tool) == "[HTML page converted to text; navigation, scripts and styles omitted]\n\n# cut — Docs\n")
    }
}
