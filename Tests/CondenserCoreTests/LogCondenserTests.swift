import Testing

@testable import CondenserCore

@Suite struct LogCondenserTests {
    let safe = LogCondenser(mode: .safe)

    @Test func classifiesAlertsExceptionsAndSummaries() {
        #expect(LogCondenser.alert(in: ArraySlice("ValueError: bad response".utf8)) == .exception)
        #expect(LogCondenser.alert(in: ArraySlice("prefix 12:00 AssertionError".utf8)) == .exception)
        #expect(LogCondenser.alert(in: ArraySlice("raised a ValueError in the loop".utf8)) == .alert)
        #expect(LogCondenser.alert(in: ArraySlice("sshd[1]: Failed password for root".utf8)) == .alert)
        #expect(LogCondenser.alert(in: ArraySlice("x.py:3: DeprecationWarning: old".utf8)) == .alert)
        #expect(LogCondenser.alert(in: ArraySlice("Ran 42 tests in 0.5s".utf8)) == .summary)
        #expect(LogCondenser.alert(in: ArraySlice("test_user (test.T.test_user) ... ok".utf8)) == .none)
    }

    @Test func severeLinesReportErrorsNotFailedAttempts() {
        #expect(LogCondenser.isSevere(ArraySlice("FATAL health check failed with code QRX-8228".utf8)))
        #expect(LogCondenser.isSevere(ArraySlice("##[error]artifact upload failed".utf8)))
        #expect(LogCondenser.isSevere(ArraySlice("raise KeyError(k)".utf8)))
        #expect(!LogCondenser.isSevere(ArraySlice("sshd[1]: Failed password for root".utf8)))
        #expect(!LogCondenser.isSevere(ArraySlice("pam_unix(sshd:auth): authentication failure".utf8)))
    }

    @Test func linesDifferingInNumbersShareAShape() {
        let a = LogCondenser.shape(of: ArraySlice("sshd[123]: Failed password from 10.0.0.1 port 22".utf8))
        let b = LogCondenser.shape(of: ArraySlice("sshd[456]: Failed password from 10.9.8.7 port 2200".utf8))
        let c = LogCondenser.shape(of: ArraySlice("sshd[456]: Accepted password from 10.9.8.7 port 2200".utf8))
        #expect(a == b)
        #expect(a != c)
    }

    @Test func diffsKeepTheirChangedLinesAndDropContext() {
        var lines = ["diff --git a/x.py b/x.py", "--- a/x.py", "+++ b/x.py", "@@ -1,30 +1,30 @@"]
        lines += (0..<12).map { " context line \($0)" }
        lines += ["-old = 1", "+new = 2"]
        lines += (12..<24).map { " context line \($0)" }
        let text = lines.joined(separator: "\n")
        let result = safe.condense(text)
        #expect(result.contains("@@ -1,30 +1,30 @@"))
        #expect(result.contains("-old = 1\n+new = 2"))
        #expect(!result.contains("context line 9"))
    }

    @Test func tracebacksKeepTheirLastFrame() {
        var lines = (0..<20).map { "step \($0) running" }
        lines += [
            "Traceback (most recent call last):",
            "  File \"/a.py\", line 1, in <module>", "    main()",
            "  File \"/b.py\", line 9, in main", "    run()",
            "  File \"/c.py\", line 4, in run", "    raise KeyError(k)",
            "KeyError: 'k'",
        ]
        lines += (20..<40).map { "step \($0) running" }
        let result = safe.condense(lines.joined(separator: "\n"))
        #expect(result.contains("Traceback (most recent call last):"))
        #expect(result.contains("  File \"/c.py\", line 4, in run\n    raise KeyError(k)\nKeyError: 'k'"))
        #expect(!result.contains("/a.py"))
    }

    @Test func passingTestsGoAndFailuresAndTheSummaryStay() {
        // Test names with digits are ids to the census; a passing test is still no fact.
        var lines = ["== CPython 3.11.7+", "== Python build: debug", "Run tests sequentially"]
        lines += (0..<200).map { "testIPv\($0)Option (test.test_socket.GeneralModuleTests.testIPv\($0)Option) ... ok" }
        lines.insert("testSockName (test.test_socket.GeneralModuleTests.testSockName) ... FAIL", at: 120)
        lines += ["", "Ran 201 tests in 2.774s", "", "FAILED (failures=1)", "[exit status: 1]"]
        let result = safe.condense(lines.joined(separator: "\n"))
        #expect(result.contains("testSockName (test.test_socket.GeneralModuleTests.testSockName) ... FAIL"))
        #expect(result.contains("Ran 201 tests in 2.774s"))
        #expect(result.contains("FAILED (failures=1)\n[exit status: 1]"))
        #expect(!result.contains("testIPv50Option"))
        #expect(result.split(separator: "\n").count < 15)
    }

    @Test func aPytestRunKeepsItsFailure() {
        var lines = ["============ test session starts ============", "collected 120 items", ""]
        lines += (0..<120).map { "tests/test_api.py::test_case_\($0) PASSED [\($0 * 100 / 120)%]" }
        lines[60] = "tests/test_api.py::test_case_57 FAILED [47%]"
        lines += ["", "FAILED tests/test_api.py::test_case_57 - AssertionError: 1 != 2", "==== 1 failed, 119 passed in 2.10s ===="]
        let text = lines.joined(separator: "\n")
        #expect(ContentSniffer.kind(of: text) == .log)
        let result = safe.condense(text)
        #expect(result.contains("tests/test_api.py::test_case_57 FAILED [47%]"))
        #expect(result.contains("==== 1 failed, 119 passed in 2.10s ===="))
        #expect(!result.contains("test_case_90 PASSED"))
    }

    @Test func aGoTestRunKeepsItsFailureAndWhatTheTestPrinted() {
        var lines: [String] = []
        for n in 0..<40 {
            lines += ["=== RUN   TestCase\(n)", "--- PASS: TestCase\(n) (0.00s)"]
        }
        lines.insert(contentsOf: ["=== RUN   TestAdd", "    add_test.go:9: Add(1, 2) = 4, want 3", "--- FAIL: TestAdd (0.00s)"], at: 40)
        lines += ["FAIL", "FAIL\texample.com/calc\t0.012s"]
        let result = safe.condense(lines.joined(separator: "\n"))
        #expect(result.contains("    add_test.go:9: Add(1, 2) = 4, want 3\n--- FAIL: TestAdd (0.00s)"))
        #expect(!result.contains("TestCase30"))
        #expect(result.hasSuffix("FAIL\nFAIL\texample.com/calc\t0.012s"))
    }

    @Test func shortOutputIsLeftAlone() {
        let text = (0..<10).map { "line \($0)" }.joined(separator: "\n")
        #expect(safe.condense(text) == text)
    }

    @Test func shortBlockStartsStayAndLongOnesMayGo() {
        var lines = (0..<8).map { "intro line \($0) of the page" }
        lines += ["", "Configuration", "detail one", "detail two"]
        lines += ["", "This paragraph opens with a long sentence that carries nothing worth keeping here."]
        lines += (0..<8).map { "closing line \($0) of the page" }
        let result = safe.condense(lines.joined(separator: "\n"))
        #expect(result.contains("\nConfiguration\n"))
        #expect(!result.contains("This paragraph opens"))
    }
}
