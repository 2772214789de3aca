import Testing

@testable import CondenserCore

@Suite struct TestResultLineTests {
    func verdict(_ line: String) -> TestResultLine.Verdict? {
        TestResultLine.verdict(ArraySlice(line.utf8))
    }

    @Test func unittestAndCargoLines() {
        #expect(verdict("test_repr (test.test_socket.GeneralModuleTests.test_repr) ... ok") == .passed)
        #expect(verdict("testSockName ... skipped 'requires network resource'") == .passed)
        #expect(verdict("test_x (t.T.test_x) ... expected failure") == .passed)
        #expect(verdict("test parser::tests::empty ... ok") == .passed)
        #expect(verdict("test_x (t.T.test_x) ... FAIL") == .failed)
        #expect(verdict("test_x (t.T.test_x) ... ERROR") == .failed)
        #expect(verdict("test parser::tests::long ... FAILED") == .failed)
        #expect(verdict("test_x (t.T.test_x) ... unexpected success") == .failed)
    }

    @Test func pytestLines() {
        #expect(verdict("tests/test_api.py::test_create PASSED                     [ 10%]") == .passed)
        #expect(verdict("tests/test_api.py::TestUser::test_login SKIPPED (no network) [ 20%]") == .passed)
        #expect(verdict("tests/test_api.py::test_delete FAILED                     [ 30%]") == .failed)
        #expect(verdict("tests/test_api.py::test_patch ERROR") == .failed)
    }

    @Test func goAndJestLines() {
        #expect(verdict("=== RUN   TestParse") == .passed)
        #expect(verdict("    --- PASS: TestParse/empty (0.00s)") == .passed)
        #expect(verdict("--- SKIP: TestNetwork (0.00s)") == .passed)
        #expect(verdict("--- FAIL: TestParse (0.01s)") == .failed)
        #expect(verdict("  ✓ renders the form (5 ms)") == .passed)
        #expect(verdict("  ✕ submits the form (12 ms)") == .failed)
    }

    @Test func otherLinesHaveNoVerdict() {
        #expect(verdict("Loading ... okay, done") == nil)
        #expect(verdict("Ran 319 tests in 2.774s") == nil)
        #expect(verdict("FAILED tests/test_api.py::test_delete - AssertionError: 1 != 2") == nil)
        #expect(verdict("std::vector<int> values;") == nil)
        #expect(verdict("ok") == nil)
        #expect(verdict("") == nil)
    }
}
