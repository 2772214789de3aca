import Testing

@testable import CondenserCore

@Suite struct UnittestNameFolderTests {
    let tool = BlockContext(role: .toolResult, toolName: "run_command")
    let output = """
        0:00:00 load avg: 1.65 [1/1] test_poplib
        test_getwelcome (test.test_poplib.TestPOP3Class.test_getwelcome) ... ok
        test_exceptions (test.test_poplib.TestPOP3Class.test_exceptions) ... ok
        test_quit (test.test_poplib.TestPOP3Class.test_quit) ... FAIL
        test_stls (test.test_poplib.TestPOP3_SSLClass.test_stls) ... ok
        testTimeoutDefault (test.test_poplib.TestTimeouts.testTimeoutDefault) ... ok
        testTimeoutNone (test.test_poplib.TestTimeouts.testTimeoutNone) ... ok
        testTimeoutValue (test.test_poplib.TestTimeouts.testTimeoutValue) ... ok

        ======================================================================
        FAIL: test_quit (test.test_poplib.TestPOP3Class.test_quit)

        """

    @Test func runsOfOneClassStateTheClassOnce() {
        let folded = UnittestNameFolder().apply(output, context: tool)
        #expect(
            folded == """
                0:00:00 load avg: 1.65 [1/1] test_poplib
                [next 3 lines: "name ..." stands for "name (test.test_poplib.TestPOP3Class.name) ..."]
                test_getwelcome ... ok
                test_exceptions ... ok
                test_quit ... FAIL
                test_stls (test.test_poplib.TestPOP3_SSLClass.test_stls) ... ok
                [next 3 lines: "name ..." stands for "name (test.test_poplib.TestTimeouts.name) ..."]
                testTimeoutDefault ... ok
                testTimeoutNone ... ok
                testTimeoutValue ... ok

                ======================================================================
                FAIL: test_quit (test.test_poplib.TestPOP3Class.test_quit)

                """)
    }

    @Test func unfoldingGivesTheOutputBack() throws {
        let folded = UnittestNameFolder().apply(output, context: tool)
        #expect(try #require(UnittestNameFolder.unfolded(folded)) == output)
        #expect(UnittestNameFolder.unfolded(output) == nil)
    }

    @Test func olderPythonsPrintTheClassAlone() throws {
        let old = (1...4).map { "test_case_\($0) (fail2ban.tests.servertestcase.Transmitter) ... ok" }.joined(separator: "\n")
        let folded = UnittestNameFolder().apply(old, context: tool)
        #expect(folded.hasPrefix(#"[next 4 lines: "name ..." stands for "name (fail2ban.tests.servertestcase.Transmitter) ..."]"#))
        #expect(folded.hasSuffix("\ntest_case_4 ... ok"))
        #expect(try #require(UnittestNameFolder.unfolded(folded)) == old)
    }

    @Test func leavesEverythingElseAlone() {
        let short = (1...2).map { "test_\($0) (a.B.test_\($0)) ... ok" }.joined(separator: "\n")
        let notResults = (1...5).map { "call_\($0) (x.y) returned 0" }.joined(separator: "\n")
        for text in [short, notResults] {
            #expect(UnittestNameFolder().apply(text, context: tool) == text)
        }
        #expect(UnittestNameFolder().apply(output, context: BlockContext(role: .assistant)) == output)
    }

    @Test func savesTokens() throws {
        let tokenizer = try Tokenizer.shared(.o200kBase)
        let folded = UnittestNameFolder().apply(output, context: tool)
        #expect(tokenizer.count(folded) < tokenizer.count(output) - 15)
    }
}
