import Testing

@testable import CondenserCore

@Suite struct RepeatedLineCollapserTests {
    let stage = RepeatedLineCollapser()
    let tool = BlockContext(role: .toolResult)

    @Test func identicalLinesCollapseToOneAndAMarker() {
        let text = "start\n" + String(repeating: "WARNING: retrying connection to the cache server\n", count: 5) + "end"
        let expected = "start\nWARNING: retrying connection to the cache server\n[previous line repeated 4 more times]\nend"
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func linesDifferingOnlyInTimestampsAndCountersKeepFirstAndLast() {
        let text = """
            2025-03-01T10:00:01.123Z worker[4411]: heartbeat ok after 12ms (attempt 1/9)
            2025-03-01T10:00:02.456Z worker[4411]: heartbeat ok after 15ms (attempt 2/9)
            2025-03-01T10:00:03.789Z worker[4411]: heartbeat ok after 11ms (attempt 3/9)
            2025-03-01T10:00:04.012Z worker[4411]: heartbeat ok after 19ms (attempt 4/9)
            2025-03-01T10:00:05.345Z worker[4411]: heartbeat ok after 13ms (attempt 5/9)
            shutdown
            """
        let expected = """
            2025-03-01T10:00:01.123Z worker[4411]: heartbeat ok after 12ms (attempt 1/9)
            [... 3 similar lines omitted]
            2025-03-01T10:00:05.345Z worker[4411]: heartbeat ok after 13ms (attempt 5/9)
            shutdown
            """
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func rareTokensInOtherwiseSimilarLinesSurvive() {
        let text = """
            10:00:01 deploy: backend returned code DSP-1033 for request
            10:00:02 deploy: backend returned code DSP-2041 for request
            10:00:03 deploy: backend returned code QRX-5128 for request
            10:00:04 deploy: backend returned code E2531K for request
            10:00:05 deploy: rejected host 192.0.2.17 for tenant malachite-47
            10:00:06 deploy: rejected host 192.0.2.18 for tenant malachite-47
            10:00:07 deploy: rejected host 192.0.2.19 for tenant malachite-47
            10:00:08 upstream rejected request: code=5506 (retry budget exhausted)
            10:00:09 upstream rejected request: code=6906 (retry budget exhausted)
            10:00:10 upstream rejected request: code=7779 (retry budget exhausted)
            """
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func shortCodesAndTableRowsAreData() {
        let text = """
            GET /api/items returned status 200 to the client
            GET /api/items returned status 500 to the client
            GET /api/items returned status 200 to the client
            | 1 | 2022-02-01 | 1250 |
            | 2 | 2022-02-15 | 3100 |
            | 3 | 2022-03-01 | 4700 |
            """
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func messagesOnlyLoseExactRepeats() {
        let schedule = """
            09:00 - 10:00 Standup and planning with the whole team
            10:00 - 11:00 Standup and planning with the whole team
            11:00 - 12:00 Standup and planning with the whole team
            12:00 - 13:00 Standup and planning with the whole team
            """
        let user = BlockContext(role: .user)
        #expect(stage.apply(schedule, context: user) == schedule)
        let repeated = String(repeating: "I think the answer is still the same one.\n", count: 4)
        #expect(
            stage.apply(repeated, context: user) == "I think the answer is still the same one.\n[previous line repeated 3 more times]\n")
    }

    @Test func shortRunsStay() {
        let text = "job 1001 took 12ms to finish\njob 1002 took 15ms to finish\nall done\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func repeatedWarningBlocksAreDroppedAfterTheFirst() {
        let text = """
            test_a (test.test_x.T.test_a) ... ok
            /src/Lib/shutil.py:1076: DeprecationWarning: The asyncore module is deprecated
              import asyncore
            test_b (test.test_x.T.test_b) ... ok
            /src/Lib/shutil.py:1076: DeprecationWarning: The asyncore module is deprecated
              import asyncore
            test_c (test.test_x.T.test_c) ... ok
            /src/Lib/shutil.py:1080: DeprecationWarning: The asyncore module is deprecated
              import asyncore
            /src/Lib/shutil.py:1076: DeprecationWarning: The asyncore module is deprecated
              import asyncore
            """
        let expected = """
            test_a (test.test_x.T.test_a) ... ok
            /src/Lib/shutil.py:1076: DeprecationWarning: The asyncore module is deprecated
              import asyncore
            [same warning repeated 2 more times below; repeats omitted]
            test_b (test.test_x.T.test_b) ... ok
            test_c (test.test_x.T.test_c) ... ok
            /src/Lib/shutil.py:1080: DeprecationWarning: The asyncore module is deprecated
              import asyncore
            """
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func sourceCodeIsLeftAlone() {
        let text = "def f():\n    x = 0\n    x = 0\n    x = 0\n    x = 0\n    return x\n"
        #expect(stage.apply(text, context: tool) == text)
    }

    @Test func fencedBlocksKeepTheirRepeats() {
        let line = "    print('retrying the request now, please wait')\n"
        let text = "Output was:\n```\n" + String(repeating: line, count: 4) + "```\n"
        #expect(stage.apply(text, context: BlockContext(role: .assistant)) == text)
    }

    @Test func worksInsideJSONWrappedOutput() {
        let line = #"connection refused by upstream cache, retrying\n"#
        let text = #"{"exit_code": 1, "output": ""# + String(repeating: line, count: 4) + #""}"#
        let expected =
            #"{"exit_code":1,"output":"connection refused by upstream cache, retrying\n[previous line repeated 3 more times]\n"}"#
        #expect(stage.apply(text, context: tool) == expected)
    }

    @Test func isIdempotent() {
        var text = ""
        for i in 0..<10 { text += "12:00:0\(i) sync: pushed batch \(1000 + i) in 3\(i)ms\n" }
        text += "/a/b.py:3: UserWarning: careful now\n  warn()\n/a/b.py:3: UserWarning: careful now\n  warn()\n"
        let once = stage.apply(text, context: tool)
        #expect(once != text)
        #expect(stage.apply(once, context: tool) == once)
    }
}

extension RepeatedLineCollapserTests {
    @Test func logLinesThatSayWarningAreNotWarningBlocks() {
        let text = """
            Jan 14 16:18:16 mx postfix/smtpd[14933]: warning: host[192.0.2.5]: SASL CRAM-MD5 authentication failed
            Jan 14 16:18:20 mx postfix/smtpd[14933]: disconnect from host[192.0.2.5]
            Jan 14 16:18:16 mx postfix/smtpd[14933]: warning: host[192.0.2.5]: SASL CRAM-MD5 authentication failed
            """
        #expect(stage.apply(text, context: tool) == text)
        #expect(RepeatedLineCollapser.isWarningHeader(ArraySlice("Objects/call.c:5397:31: warning: 'size' may be used".utf8)))
        #expect(RepeatedLineCollapser.isWarningHeader(ArraySlice("/x/a.py:27: DeprecationWarning: old".utf8)))
    }
}

extension RepeatedLineCollapserTests {
    @Test func dataStringsInJSONAreNotOutput() {
        let line = #"connection refused by upstream cache, retrying\n"#
        let text = #"{"description": ""# + String(repeating: line, count: 4) + #""}"#
        #expect(stage.apply(text, context: tool) == text)
    }
}
