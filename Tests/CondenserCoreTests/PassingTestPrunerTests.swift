import Testing

@testable import CondenserCore

@Suite struct PassingTestPrunerTests {
    let aggressive = BlockContext(role: .toolResult, toolName: "run_command", mode: .aggressive)

    let run = """
        == Tests result: FAILURE ==
        test_getwelcome (test.test_poplib.TestPOP3Class.test_getwelcome) ... ok
        test_exceptions (test.test_poplib.TestPOP3Class.test_exceptions) ... ok
        test_noop (test.test_poplib.TestPOP3Class.test_noop) ... skipped 'needs network'
        test_quit (test.test_poplib.TestPOP3Class.test_quit) ... FAIL
        test_stls (test.test_poplib.TestPOP3_SSLClass.test_stls) ... ok
        test_rset (test.test_poplib.TestPOP3Class.test_rset) ... ok
        DeprecationWarning: poplib.POP3.apop is deprecated
        test_top (test.test_poplib.TestPOP3Class.test_top) ... ok
        test_uidl (test.test_poplib.TestPOP3Class.test_uidl) ... ok
        test_user (test.test_poplib.TestPOP3Class.test_user) ... ok
        test_zero (test.test_poplib.TestPOP3Class.test_zero) ... ok

        ======================================================================
        FAIL: test_quit (test.test_poplib.TestPOP3Class.test_quit)
        AssertionError: b'+OK' != b'-ERR'

        Ran 11 tests in 0.210s

        FAILED (failures=1, skipped=1)
        """

    @Test func passingRunsBecomeACountAndEverythingElseStays() {
        #expect(
            PassingTestPruner().apply(run, context: aggressive) == """
                == Tests result: FAILURE ==
                [... 3 passed or skipped tests omitted]
                test_quit (test.test_poplib.TestPOP3Class.test_quit) ... FAIL
                test_stls (test.test_poplib.TestPOP3_SSLClass.test_stls) ... ok
                test_rset (test.test_poplib.TestPOP3Class.test_rset) ... ok
                DeprecationWarning: poplib.POP3.apop is deprecated
                [... 4 passed or skipped tests omitted]

                ======================================================================
                FAIL: test_quit (test.test_poplib.TestPOP3Class.test_quit)
                AssertionError: b'+OK' != b'-ERR'

                Ran 11 tests in 0.210s

                FAILED (failures=1, skipped=1)
                """)
    }

    @Test func aMarkerKeepsTheIndentationOfItsRun() {
        let jest = """
            PASS src/form.test.js
              Form
                ✓ renders the form (5 ms)
                ✓ validates the email (2 ms)
                ✓ shows the error banner (3 ms)
                ✕ submits the form (12 ms)
            """
        #expect(
            PassingTestPruner().apply(jest, context: aggressive) == """
                PASS src/form.test.js
                  Form
                    [... 3 passed or skipped tests omitted]
                    ✕ submits the form (12 ms)
                """)
    }

    @Test func onlyAggressiveModeAndToolResultsArePruned() {
        #expect(PassingTestPruner().apply(run, context: BlockContext(role: .toolResult, mode: .safe)) == run)
        #expect(PassingTestPruner().apply(run, context: BlockContext(role: .assistant, mode: .aggressive)) == run)
        #expect(PassingTestPruner().apply(run, context: BlockContext(role: .user, mode: .aggressive)) == run)
    }

    @Test func readListingsAndDiffsAreLeftAlone() {
        // A file read, and a diff of a test's expected output: lines that read as results
        // are part of what was read.
        let listing = (1...6).map { "\($0)\tcheck_\($0) ... ok" }.joined(separator: "\n")
        let diff = """
            diff --git a/tests/expected.txt b/tests/expected.txt
            --- a/tests/expected.txt
            +++ b/tests/expected.txt
            @@ -1,4 +1,4 @@
             test_a (t.T.test_a) ... ok
             test_b (t.T.test_b) ... ok
             test_c (t.T.test_c) ... ok
            -test_d (t.T.test_d) ... FAIL
            +test_d (t.T.test_d) ... ok
            """
        for text in [listing, diff] {
            #expect(PassingTestPruner().apply(text, context: aggressive) == text)
        }
    }

    @Test func runsUnderThreeStayAndTheOutputIsStable() {
        let short = "test_a (t.T.test_a) ... ok\ntest_b (t.T.test_b) ... ok\nRan 2 tests in 0.001s\n\nOK"
        #expect(PassingTestPruner().apply(short, context: aggressive) == short)
        let once = PassingTestPruner().apply(run, context: aggressive)
        #expect(PassingTestPruner().apply(once, context: aggressive) == once)
    }

    @Test func outputInsideAJSONResultIsPrunedToo() throws {
        let wrapped = JSONValue.object(["exit_code": .int(1), "output": .string(run)]).serialized()
        let pruned = PassingTestPruner().apply(wrapped, context: aggressive)
        let output = try #require(JSONParser.parse(pruned).objectValue?["output"]?.stringValue)
        #expect(output == PassingTestPruner().apply(run, context: aggressive))
    }

    @Test func theNewestTestRunIsPrunedWhenItFirstAppears() throws {
        var settings = PipelineSettings()
        settings.timeBudgetMilliseconds = 10_000
        settings.minimumTokens = 100
        var request = syntheticSession(rounds: 6)
        let last = try #require(request.messages.lastIndex { $0.role == "tool" })
        request.messages[last].content = .text(run)
        let outputs = try [CompressionMode.aggressive, .safe].map { mode in
            let outcome = CompressionPipeline.standard(settings: settings).compress(request, mode: mode)
            return try #require(outcome.chatRequest.messages[last].content.text)
        }
        #expect(outputs[0].contains("[... 4 passed or skipped tests omitted]"))
        #expect(outputs[0].contains("test_quit (test.test_poplib.TestPOP3Class.test_quit) ... FAIL"))
        #expect(!outputs[1].contains("passed or skipped"))
        #expect(outputs[1].contains("test_zero"))
    }
}
