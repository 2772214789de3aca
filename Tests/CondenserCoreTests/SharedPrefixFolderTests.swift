import Testing

@testable import CondenserCore

@Suite struct SharedPrefixFolderTests {
    let stage = SharedPrefixFolder()
    let tool = BlockContext(role: .toolResult, toolName: "run_command")

    // Double spaces, as make leaves them, must not pass for a table's columns.
    static let compile = "gcc -c -fno-strict-overflow -Wsign-compare -g -Og -Wall -std=c11  -I./Include/internal  -I. -DPy_BUILD_CORE -o "
    static let build = """
        \(compile)Objects/abstract.o Objects/abstract.c
        \(compile)Objects/call.o Objects/call.c
        \(compile)Objects/dictobject.o Objects/dictobject.c
        \(compile)Python/ceval.o Python/ceval.c
        Objects/call.c:5397:31: warning: 'size' may be used uninitialized [-Wmaybe-uninitialized]
        make: *** [Makefile:2051: Objects/call.o] Error 1
        """

    @Test func compilerLinesShareTheirCommandOnce() {
        let expected = """
            [next 4 lines each start with "\(Self.compile)"; shown without it]
            Objects/abstract.o Objects/abstract.c
            Objects/call.o Objects/call.c
            Objects/dictobject.o Objects/dictobject.c
            Python/ceval.o Python/ceval.c
            Objects/call.c:5397:31: warning: 'size' may be used uninitialized [-Wmaybe-uninitialized]
            make: *** [Makefile:2051: Objects/call.o] Error 1
            """
        #expect(stage.apply(Self.build, context: tool) == expected)
    }

    @Test func unfoldingGivesTheTextBack() throws {
        let folded = stage.apply(Self.build, context: tool)
        #expect(folded != Self.build)
        #expect(try #require(SharedPrefixFolder.unfolded(folded)) == Self.build)
        #expect(SharedPrefixFolder.unfolded(Self.build) == nil)
    }

    @Test func isIdempotent() {
        let once = stage.apply(Self.build, context: tool)
        #expect(stage.apply(once, context: tool) == once)
    }

    @Test func cutsOnlyBetweenWordsSoIdsStayWhole() {
        // The lines share `... code DSP-10` but the cut goes back to the space before the id.
        let text = """
            Address sanitizer\tRun tests\tartifact upload failed with code DSP-1033, results may be incomplete
            Address sanitizer\tRun tests\tartifact upload failed with code DSP-1047, results may be incomplete
            Address sanitizer\tRun tests\tartifact upload failed with code DSP-1052, results may be incomplete
            done
            """
        let prefix = "Address sanitizer\tRun tests\tartifact upload failed with code "
        let expected = """
            [next 3 lines each start with "\(prefix)"; shown without it]
            DSP-1033, results may be incomplete
            DSP-1047, results may be incomplete
            DSP-1052, results may be incomplete
            done
            """
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func neverCutsInsideATimeOrBeforePadding() {
        // Times share `Nov 22 10:42:0`, a cut there would split them; before the host the
        // prefix is too short to fold.
        let times = """
            Nov 22 10:42:01 edge-1 sshd[4411]: Accepted publickey for deploy from 192.0.2.10
            Nov 22 10:42:02 edge-2 sshd[4412]: Accepted publickey for deploy from 192.0.2.11
            Nov 22 10:42:03 edge-3 sshd[4413]: Accepted publickey for deploy from 192.0.2.12
            """
        #expect(stage.apply(times, context: tool) == times)
        // Right-aligned sizes: the shown part never starts with a space.
        let listing = """
            total 5720
            -rw-r--r--   1 tomas  tomas     14538 Oct 18 14:48 _aix_support.py
            -rw-r--r--   1 tomas  tomas    101924 Nov 11 08:57 _compat_pickle.py
            -rw-r--r--   1 tomas  tomas      2717 Nov  8 08:24 _py_abc.py
            -rw-r--r--   1 tomas  tomas    107292 Oct 26 09:14 _threading_local.py
            """
        let folded = stage.apply(listing, context: tool)
        let lines = folded.split(separator: "\n")
        #expect(lines[1] == "[next 4 lines each start with \"-rw-r--r--   1 tomas  \"; shown without it]")
        #expect(lines[2] == "tomas     14538 Oct 18 14:48 _aix_support.py")
        #expect(lines.dropFirst(2).allSatisfy { $0.first != " " })
    }

    @Test func bracketsQuotesAndDatesStayWhole() {
        // The lines share `[worker pool alpha shard replica `, but a cut there would split
        // the bracketed name.
        let bracketed = (10..<18).map { "[worker pool alpha shard replica \($0)] heartbeat missed, restarting" }.joined(separator: "\n")
        #expect(stage.apply(bracketed, context: tool) == bracketed)
        // A date keeps its time: no cut between `2020-02-24 ` and `16:05:21.00`.
        let dated = """
            backend-db-1 2020-02-24 16:05:21.00 Logon Login failed for user 'Backend'. Reason: password mismatch
            backend-db-1 2020-02-24 16:05:22.00 Logon Login failed for user 'Backend'. Reason: password mismatch
            backend-db-1 2020-02-24 16:05:23.00 Logon Login failed for user 'Backend'. Reason: password mismatch
            backend-db-1 2020-02-24 16:05:24.00 Logon Login failed for user 'Backend'. Reason: password mismatch
            """
        let foldedDates = stage.apply(dated, context: tool)
        #expect(foldedDates.contains("\n2020-02-24 16:05:21.00 Logon"))
        #expect(!foldedDates.contains("\n16:05"))
        let request = """
            10.0.0.2 - alice [18/Nov/2018:21:34:30 +0000] "GET /dashboard/ HTTP/2.0" 401 17
            10.0.0.2 - alice [18/Nov/2018:21:34:30 +0000] "GET /login/ HTTP/2.0" 200 512
            10.0.0.2 - alice [18/Nov/2018:21:34:30 +0000] "GET /static/app.js HTTP/2.0" 200 90211
            """
        let folded = stage.apply(request, context: tool)
        #expect(
            folded.hasPrefix(
                "[next 3 lines each start with \"10.0.0.2 - alice [18/Nov/2018:21:34:30 +0000] \"; shown without it]\n\"GET /dashboard/"))
    }

    @Test func grepHitsShareTheirPath() {
        let text = """
            Lib/test/test_functools.py:1898:        @functools.singledispatch
            Lib/test/test_functools.py:1909:        @functools.singledispatch
            Lib/test/test_functools.py:1932:        @functools.singledispatch
            Lib/test/test_functools.py:1946:        @functools.singledispatch
            Lib/functools.py:812:    def singledispatch(func):
            """
        let expected = """
            [next 4 lines each start with "Lib/test/test_functools.py:"; shown without it]
            1898:        @functools.singledispatch
            1909:        @functools.singledispatch
            1932:        @functools.singledispatch
            1946:        @functools.singledispatch
            Lib/functools.py:812:    def singledispatch(func):
            """
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func foldsOnlyWhereTheMarkerPaysForItself() {
        // Two lines are too few; a short prefix on three lines saves less than the marker costs.
        let two = "\(Self.compile)a.o a.c\n\(Self.compile)b.o b.c\nlinking python\n"
        #expect(stage.apply(two, context: tool) == two)
        let short = "deploy step one: started\ndeploy step one: running\ndeploy step one: finished\n"
        #expect(stage.apply(short, context: tool) == short)
    }

    @Test func choosesTheFoldingThatSavesMost() {
        // Three lines share a long prefix, and with a fourth they share only a shorter one:
        // the long prefix over three lines saves more.
        let long = "worker pool alpha restarted the shard replica after a failed health probe on node "
        let text = """
            \(long)db-1
            \(long)db-2
            \(long)db-3
            worker pool alpha restarted the gateway
            """
        let folded = stage.apply(text, context: tool)
        #expect(folded.hasPrefix("[next 3 lines each start with \"\(long)\"; shown without it]\ndb-1\ndb-2\ndb-3\n"))
        #expect(folded.hasSuffix("\nworker pool alpha restarted the gateway"))
    }

    @Test func codeListingsDiffsJSONAndIndentedBlocksStay() {
        let code = """
            def test_alpha(self):
                self.assertEqual(self.stdcompleter.global_matches('di'), ['dict'])
                self.assertEqual(self.stdcompleter.global_matches('st'), ['str'])
                self.assertEqual(self.stdcompleter.global_matches('xy'), [])
            """
        #expect(stage.apply(code, context: tool) == code)
        let numbered = Self.build.split(separator: "\n").enumerated().map { "\($0.offset + 1)\t\($0.element)" }.joined(separator: "\n")
        #expect(stage.apply(numbered, context: tool) == numbered)
        let arrows = Self.build.split(separator: "\n").enumerated().map { "\($0.offset + 1)→\($0.element)" }.joined(separator: "\n")
        #expect(stage.apply(arrows, context: tool) == arrows)
        let indented = "Example output:\n" + Self.build.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        #expect(stage.apply(indented, context: tool) == indented)
        let fenced = "Build log:\n```\n" + Self.build + "\n```\n"
        #expect(stage.apply(fenced, context: tool) == fenced)
    }

    @Test func tablesUnderAHeaderRowStay() {
        let text = """
            REPOSITORY                     TAG       IMAGE ID       SIZE
            registry.example.com/app/web   v1.2.3    3f2a9c1d7e4b   212MB
            registry.example.com/app/web   v1.2.2    9b8e7d6c5a4f   211MB
            registry.example.com/app/web   v1.2.1    1a2b3c4d5e6f   209MB
            """
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func onlyToolResults() {
        #expect(stage.apply(Self.build, context: BlockContext(role: .assistant)) == Self.build)
        #expect(stage.apply(Self.build, context: BlockContext(role: .user)) == Self.build)
    }

    @Test func foldsInsideJSONWrappedOutput() throws {
        let wrapped = JSONValue.object(["exit_code": .number("2"), "output": .string(Self.build)]).serialized()
        let folded = stage.apply(wrapped, context: tool)
        #expect(folded != wrapped)
        let object = try #require(try JSONParser.parse(folded).objectValue)
        #expect(object["output"]?.stringValue == stage.apply(Self.build, context: tool))
        #expect(object["exit_code"] == .number("2"))
        #expect(SharedPrefixFolder.unfolded(folded) == wrapped)
    }

    @Test func estimateErrsLowButNotFarOff() throws {
        let tokenizer = try Tokenizer.shared(.o200kBase)
        for (prefix, rest) in [
            (Self.compile, "Objects/call.o Objects/call.c"), ("Nov 11 07:12:08 api-1 geo-catalog[2854]: ", "started"),
            ("Lib/test/test_asyncio/test_events.py:", "12: x"), ("macOS / build and test (arm64)\tRun tests\t", "2025-09-28T07:07:11Z"),
            ("-rw-r--r--   1 tomas  tomas    ", "4096 Nov  3 14:31 .git"),
        ] {
            let cuts = SharedPrefixFolder.cutPoints(Array((prefix + rest).utf8)[...], upTo: prefix.utf8.count)
            let estimate = try #require(cuts.last { $0.length == prefix.utf8.count }).tokens
            let count = tokenizer.count(prefix)
            #expect(estimate <= count, "\(prefix)")
            #expect(estimate * 3 >= count * 2, "\(prefix)")
        }
    }
}
