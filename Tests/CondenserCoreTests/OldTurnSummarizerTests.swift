import Testing

@testable import CondenserCore

@Suite struct OldTurnSummarizerTests {
    let summarizer = OldTurnSummarizer()
    let tool = BlockContext(role: .toolResult, toolName: "run_command", toolArguments: "{\"command\": \"make\"}")

    /// A CI log: a repeated prefix on every line, a traceback, one planted code.
    static let ciLog: String = {
        var lines = (0..<40).map { "build / test\tRun tests\t2025-09-28T07:07:\(10 + $0).0000000Z test_case_\($0 % 7) ... ok" }
        lines += [
            "build / test\tRun tests\t2025-09-28T07:08:01.0000000Z Traceback (most recent call last):",
            "build / test\tRun tests\t2025-09-28T07:08:02.0000000Z   File \"/src/Lib/poplib.py\", line 283, in quit",
            "build / test\tRun tests\t2025-09-28T07:08:03.0000000Z     return resp",
            "build / test\tRun tests\t2025-09-28T07:08:04.0000000Z ValueError: bad response",
        ]
        lines += (0..<30).map { "build / test\tRun tests\t2025-09-28T07:09:\(10 + $0).0000000Z test_more_\($0 % 5) ... ok" }
        lines.insert("build / test\tRun tests\t2025-09-28T07:08:30.0000000Z ##[error]artifact upload failed with code DSP-1033", at: 20)
        lines.append("Ran 74 tests in 3.2s")
        lines.append("FAILED (errors=1)")
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func logKeepsHeadTailErrorsSummaryAndRareCodes() {
        let result = summarizer.apply(Self.ciLog, context: tool)
        #expect(result.contains("##[error]artifact upload failed with code DSP-1033"))
        #expect(result.contains("Traceback (most recent call last):"))
        #expect(result.contains("File \"/src/Lib/poplib.py\", line 283, in quit"))
        #expect(result.contains("ValueError: bad response"))
        #expect(result.contains("Ran 74 tests in 3.2s\nFAILED (errors=1)\n"))
        #expect(result.hasPrefix(Self.ciLog.split(separator: "\n")[0] + "\n"))
        #expect(result.contains("lines omitted]"))
        #expect(result.utf8.count * 3 < Self.ciLog.utf8.count)
    }

    @Test func arrowListingsAreSummarisedAsTabListingsAre() {
        // An agent's file read (`     1→code`) and `cat -n` (`     1\tcode`) of the same
        // text give the same summary, numbers kept on the lines that stay.
        func listing(_ text: String, _ separator: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                .map { String(repeating: " ", count: 6 - String($0.offset + 1).count) + "\($0.offset + 1)\(separator)\($0.element)" }
                .joined(separator: "\n")
        }
        let code = (0..<12).map { "def handler_\($0)(request):\n    value = request.args[\"v\"]\n    return respond(value * 2)\n" }.joined()
        for text in [Self.ciLog.replacingOccurrences(of: "\t", with: " | "), code] {
            let tabs = summarizer.apply(listing(text, "\t"), context: tool)
            let arrows = summarizer.apply(listing(text, "→"), context: tool)
            #expect(tabs.contains("lines omitted]"))
            #expect(arrows == tabs.replacingOccurrences(of: "\t", with: "→"))
        }
    }

    @Test func aggressiveKeepsFewerLines() {
        var aggressive = tool
        aggressive.mode = .aggressive
        let safe = summarizer.apply(Self.ciLog, context: tool)
        let tight = summarizer.apply(Self.ciLog, context: aggressive)
        #expect(tight.utf8.count < safe.utf8.count)
        #expect(tight.contains("DSP-1033"))
    }

    @Test func aLineWithARareIdSurvivesAmongRepeatedLogLines() {
        var lines = (0..<60).map { "Mar 10 13:47:\(10 + $0 % 50) edge-1 authgw[\(1000 + $0)]: session opened for user deploy" }
        lines.insert("Mar 10 13:48:00 edge-1 authgw[2000]: backend returned E2531K while refreshing credentials", at: 33)
        let result = summarizer.apply(lines.joined(separator: "\n"), context: tool)
        #expect(result.contains("backend returned E2531K while refreshing credentials"))
        // The host name on every line is no rare token: the repeated lines are elided.
        #expect(result.split(separator: "\n").count < 20)
    }

    @Test func aLogOfFailuresKeepsOnlyItsFirstFew() {
        let users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
        let lines = (0..<120).map { "sshd[\(100 + $0)]: Failed password for \(users[$0 % 10]) \(users[($0 / 10) % 10]) from 10.0.0.\($0)" }
        let result = summarizer.apply(lines.joined(separator: "\n"), context: tool)
        let kept = result.split(separator: "\n").filter { $0.contains("Failed password") }.count
        // The alert budget plus the head and tail lines.
        let log = LogCondenser(mode: .safe)
        #expect(kept == log.alertBudget + log.headLines + log.tailLines)
    }

    @Test func safeModeKeepsTheFirstLineOfEachBlock() {
        let block = (0..<8).map { "   #\($0) step done in \($0 * 13)ms; cache hit: \($0 % 2)" }.joined(separator: "\n")
        let text = (1...6).map { "   Section \($0) starts here\n" + block }.joined(separator: "\n\n")
        #expect(ContentSniffer.kind(of: text) == .mixed)
        let safe = summarizer.apply(text, context: tool)
        #expect((2...5).allSatisfy { safe.contains("   Section \($0) starts here") })
        var aggressive = tool
        aggressive.mode = .aggressive
        #expect(!summarizer.apply(text, context: aggressive).contains("Section 4 starts here"))
    }

    @Test func sourceFilesBecomeOutlines() {
        let body = (1...40).map { "        total += \($0)" }.joined(separator: "\n")
        let code = "import os\n\nclass Counter:\n    def count(self):\n        total = 0\n\(body)\n        return total\n"
        let context = BlockContext(role: .toolResult, toolName: "read_file", toolArguments: "{\"path\": \"src/counter.py\"}")
        let result = summarizer.apply(code, context: context)
        #expect(result.contains("import os\n"))
        #expect(result.contains("    def count(self):\n"))
        #expect(result.contains(Marker.omittedLines(42)))
    }

    @Test func jsonWrappedOutputIsCondensedInsideItsString() {
        let output = Self.ciLog
        let json = JSONValue.object(["exit_code": .int(1), "output": .string(output), "truncated": .bool(false)]).serialized()
        let result = summarizer.apply(json, context: tool)
        let parsed = try? JSONParser.parse(result)
        #expect(parsed?.objectValue?.keys == ["exit_code", "output", "truncated"])
        #expect(parsed?.objectValue?["exit_code"] == .int(1))
        let condensed = parsed?.objectValue?["output"]?.stringValue ?? ""
        #expect(condensed.contains("DSP-1033"))
        #expect(condensed.contains("lines omitted]"))
        #expect(result.utf8.count < json.utf8.count / 2)
    }

    @Test func shortUserMessagesStayUnchanged() {
        let text = String(repeating: "Please look at the failing test and tell me what you think about it. ", count: 15)
        #expect(text.utf8.count < OldTurnSummarizer.userLengthThreshold)
        #expect(summarizer.apply(text, context: BlockContext(role: .user)) == text)
    }

    @Test func longUserMessagesKeepIntentQuestionsAndIds() {
        let filler = String(repeating: "The river flows past the old mill and the fields beyond it every single day. ", count: 25)
        let text =
            "Please rewrite my essay below. Keep it short. \(filler)Also, the internal ticket for this is OPS-69291. Can you keep the tone? \(filler)"
        let result = summarizer.apply(text, context: BlockContext(role: .user))
        #expect(result.hasPrefix("Please rewrite my essay below. Keep it short. "))
        #expect(result.contains("Also, the internal ticket for this is OPS-69291."))
        #expect(result.contains("Can you keep the tone?"))
        #expect(result.utf8.count < text.utf8.count / 2)
    }

    @Test func assistantProseIsCondensed() {
        let text = """
            The failure comes from `quit()` in Lib/poplib.py. It returns before closing the socket. \
            That is the whole story really. That is the whole story, really, nothing more to it. \
            It is a small thing. It should be easy. I hope this helps! Let me know if you need more.
            """
        let result = summarizer.apply(text, context: BlockContext(role: .assistant))
        #expect(result.hasPrefix("The failure comes from `quit()` in Lib/poplib.py."))
        #expect(!result.contains("I hope this helps"))
    }

    @Test func smallSavingsLeaveTheTextUnchanged() {
        // Head, tail and the first lines of a column of ids: all but one of ten lines stay.
        let text = (0..<10).map { "line \($0) id-\($0)0" }.joined(separator: "\n")
        #expect(summarizer.apply(text, context: tool) == text)
    }

    @Test func offModeAndSystemMessagesAreUntouched() {
        var off = tool
        off.mode = .off
        #expect(summarizer.apply(Self.ciLog, context: off) == Self.ciLog)
        #expect(summarizer.apply(Self.ciLog, context: BlockContext(role: .system)) == Self.ciLog)
    }

    @Test(arguments: [
        "", "\n\n\n", String(repeating: "x", count: 100_000),
        String(repeating: "状态正常，继续运行。😀 ", count: 400),
        (0..<200).map { "line \($0) ok\r" }.joined(separator: "\n"),
        "{\"output\": \"" + String(repeating: "a\\n", count: 300) + "\"}",
        "[\"" + String(repeating: "b\\n", count: 300) + "\", 1, null]",
    ])
    func oddInputsNeverGrowOrBreak(_ text: String) {
        for role in [BlockRole.toolResult, .assistant, .user] {
            for mode in [CompressionMode.safe, .aggressive] {
                let result = summarizer.apply(text, context: BlockContext(role: role, mode: mode))
                #expect(result.utf8.count <= text.utf8.count)
                #expect(result == text || OldTurnSummarizer.isWorthIt(before: text, after: result))
            }
        }
    }

    @Test func summaryIsDeterministicAndIdempotent() {
        let once = summarizer.apply(Self.ciLog, context: tool)
        #expect(summarizer.apply(Self.ciLog, context: tool) == once)
        #expect(summarizer.apply(once, context: tool) == once)
    }
}

extension OldTurnSummarizerTests {
    /// Folds `lines` with `stage`, summarises the result, and checks that the summary, read
    /// back in full with `unfold`, shows only lines of the output (and notes), `kept` among them.
    func expectFoldedSummaryReadsBack(
        _ lines: [String], stage: any TextStage, unfold: (String) -> String?, kept: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let original = lines.joined(separator: "\n")
        let folded = stage.apply(original, context: tool)
        #expect(folded != original, sourceLocation: sourceLocation)
        let summary = summarizer.apply(folded, context: tool)
        #expect(summary != folded, sourceLocation: sourceLocation)
        let shown = (unfold(summary) ?? summary).split(separator: "\n")
        #expect(shown.contains { $0.contains(kept) }, sourceLocation: sourceLocation)
        for line in shown where !line.hasPrefix("[... ") {
            #expect(lines.contains(String(line)), "\(line)", sourceLocation: sourceLocation)
        }
    }

    @Test func foldedLinesAreKeptOrDroppedWithTheirPrefix() {
        let compile = "gcc -c -fno-strict-overflow -Wsign-compare -g -Og -Wall -std=c11 -I./Include -DPy_BUILD_CORE -o "
        // Few distinct names, so no line is kept for a rare id.
        let names = ["abstract", "call", "ceval", "dictobject"]
        var lines = (0..<30).map { "\(compile)Objects/\(names[$0 % 4]).o Objects/\(names[$0 % 4]).c" }
        lines.insert("Objects/call.c:12:3: warning: unused variable 'n' [-Wunused-variable]", at: 8)
        lines += (30..<40).map { "\(compile)Python/\(names[$0 % 4]).o Python/\(names[$0 % 4]).c" }
        expectFoldedSummaryReadsBack(
            lines, stage: SharedPrefixFolder(), unfold: SharedPrefixFolder.unfolded, kept: "warning: unused variable")
    }

    @Test func unittestLinesAreKeptOrDroppedWithTheirClass() {
        var lines = ["0:00:00 load avg: 1.65 [1/1] test_codecs"]
        lines += (0..<40).map { "test_case_\($0 % 5) (test.test_codecs.ReadTest.test_case_\($0 % 5)) ... ok" }
        lines.insert("test_lone_surrogates (test.test_codecs.ReadTest.test_lone_surrogates) ... FAIL", at: 20)
        lines += ["", "FAILED (failures=1)"]
        expectFoldedSummaryReadsBack(
            lines, stage: UnittestNameFolder(), unfold: UnittestNameFolder.unfolded,
            kept: "test_lone_surrogates (test.test_codecs.ReadTest.test_lone_surrogates) ... FAIL")
    }
}
