import Foundation
import Testing

@testable import CondenserCore

@Suite struct SavingsRecordJournalFieldsTests {
    let record = SavingsRecord(
        requestID: "req-42", timestamp: Date(timeIntervalSince1970: 1_795_285_815), model: "gpt-4o",
        client: "aider/0.86 (linux)", endpoint: "/v1/chat/completions", mode: .safe, tokensIn: 48_210, tokensOut: 21_904,
        stages: [
            StageSavings(stage: "whitespace", tokensBefore: 48_210, tokensAfter: 40_000),
            StageSavings(stage: "tool-output", tokensBefore: 40_000, tokensAfter: 21_904),
        ],
        upstreamStatus: 200, compressionMicros: 1_800, upstreamFirstByteMicros: 312_000,
        conversationFingerprint: "9f86d081884c7d65", failOpenReason: nil)

    func dictionary(_ fields: [(name: String, value: String)]) -> [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func messageIsOneHumanLine() {
        #expect(record.journalMessage == "gpt-4o: 48,210 → 21,904 tokens (−55%) in 1.8 ms")
        var grown = record
        grown.tokensOut = 49_656
        #expect(grown.journalMessage == "gpt-4o: 48,210 → 49,656 tokens (+3%) in 1.8 ms")
        var failed = record
        failed.tokensOut = failed.tokensIn
        failed.compressionMicros = 12_345
        failed.failOpenReason = "compression budget exceeded"
        #expect(failed.journalMessage == "gpt-4o: 48,210 → 48,210 tokens (0%) in 12.3 ms, failed open: compression budget exceeded")
    }

    @Test func fieldsInAFixedOrderWithValidNames() {
        let fields = record.journalFields
        #expect(
            fields.map(\.name) == [
                "MESSAGE_ID", "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER",
                "CONDENSER_TOKENS_IN", "CONDENSER_TOKENS_OUT", "CONDENSER_TOKENS_SAVED",
                "CONDENSER_STAGES", "CONDENSER_SAVED_WHITESPACE", "CONDENSER_SAVED_TOOL_OUTPUT",
                "CONDENSER_MODEL", "CONDENSER_CLIENT", "CONDENSER_ENDPOINT", "CONDENSER_MODE",
                "CONDENSER_UPSTREAM_STATUS", "CONDENSER_COMPRESSION_USEC", "CONDENSER_UPSTREAM_TTFB_USEC",
                "CONDENSER_REQUEST_ID", "CONDENSER_CONVERSATION",
            ])
        let byName = dictionary(fields)
        #expect(byName["MESSAGE_ID"] == SavingsRecord.journalMessageID)
        #expect(byName["PRIORITY"] == "6")
        #expect(byName["SYSLOG_IDENTIFIER"] == "condenser")
        #expect(byName["CONDENSER_TOKENS_SAVED"] == "26306")
        #expect(byName["CONDENSER_SAVED_WHITESPACE"] == "8210")
        #expect(byName["CONDENSER_SAVED_TOOL_OUTPUT"] == "18096")
        #expect(byName["CONDENSER_STAGES"] == "whitespace,tool-output")
        #expect(byName["CONDENSER_UPSTREAM_TTFB_USEC"] == "312000")
        // journald keeps only these names; a 128-bit id is 32 hex digits.
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        #expect(fields.allSatisfy { $0.name.allSatisfy(allowed.contains) && !$0.name.hasPrefix("_") })
        #expect(SavingsRecord.journalMessageID.count == 32 && SavingsRecord.journalMessageID.allSatisfy(\.isHexDigit))
    }

    @Test func leavesOutAbsentValues() {
        var bare = record
        (bare.client, bare.upstreamStatus, bare.upstreamFirstByteMicros, bare.stages) = ("", nil, nil, [])
        bare.failOpenReason = "upstream unreachable"
        let names = Set(bare.journalFields.map(\.name))
        #expect(!names.contains("CONDENSER_CLIENT") && !names.contains("CONDENSER_UPSTREAM_STATUS"))
        #expect(!names.contains("CONDENSER_UPSTREAM_TTFB_USEC") && !names.contains("CONDENSER_STAGES"))
        #expect(dictionary(bare.journalFields)["CONDENSER_FAIL_OPEN_REASON"] == "upstream unreachable")
    }

    @Test func stageNamesBecomeFieldNames() {
        #expect(SavingsRecord.journalFieldName(forStage: "dedupe") == "CONDENSER_SAVED_DEDUPE")
        #expect(SavingsRecord.journalFieldName(forStage: "json.minify v2") == "CONDENSER_SAVED_JSON_MINIFY_V2")
        #expect(SavingsRecord.journalFieldName(forStage: "ünïcode") == "CONDENSER_SAVED__N_CODE")
    }

    @Test func roundTripsThroughFields() throws {
        var failed = record
        failed.failOpenReason = "timeout"
        for original in [record, failed] {
            let back = try #require(SavingsRecord(journalFields: dictionary(original.journalFields), timestamp: original.timestamp))
            var expected = original
            // Stages keep only what they saved.
            expected.stages = original.stages.map { StageSavings(stage: $0.stage, tokensBefore: $0.tokensSaved, tokensAfter: 0) }
            #expect(back == expected)
        }
    }

    @Test func billedUsageGoesBesideTheOwnCountsAndComesBack() throws {
        var billed = record
        billed.billed = BilledUsage(inputTokens: 22_017, cacheReadTokens: 19_968, cacheWriteTokens: nil)
        let fields = billed.journalFields
        #expect(fields.suffix(2).map(\.name) == ["CONDENSER_BILLED_INPUT_TOKENS", "CONDENSER_BILLED_CACHE_READ_TOKENS"])
        #expect(dictionary(fields)["CONDENSER_BILLED_CACHE_READ_TOKENS"] == "19968")
        #expect(billed.journalMessage.hasSuffix("; billed 22,017 input, 19,968 cached"))
        var written = billed
        written.billed?.cacheWriteTokens = 2_000
        #expect(dictionary(written.journalFields)["CONDENSER_BILLED_CACHE_WRITE_TOKENS"] == "2000")
        for original in [billed, written] {
            let back = try #require(SavingsRecord(journalFields: dictionary(original.journalFields), timestamp: original.timestamp))
            #expect(back.billed == original.billed)
        }
        #expect(!record.journalFields.contains { $0.name.hasPrefix("CONDENSER_BILLED_") })
    }

    @Test func ignoresOtherEntries() {
        var fields = dictionary(record.journalFields)
        fields["MESSAGE_ID"] = "00000000000000000000000000000000"
        #expect(SavingsRecord(journalFields: fields, timestamp: Date()) == nil)
        fields["MESSAGE_ID"] = SavingsRecord.journalMessageID
        fields["CONDENSER_TOKENS_IN"] = "many"
        #expect(SavingsRecord(journalFields: fields, timestamp: Date()) == nil)
    }

    @Test func fallbackLineQuotesWhatNeedsIt() {
        let line = record.journalFallbackLine
        #expect(line.hasPrefix("gpt-4o: 48,210 → 21,904 tokens (−55%) in 1.8 ms MESSAGE_ID=\(SavingsRecord.journalMessageID) "))
        #expect(line.contains(#" CONDENSER_CLIENT="aider/0.86 (linux)" "#))
        #expect(line.contains(" CONDENSER_TOKENS_SAVED=26306 "))
        #expect(!line.contains("\n"))
        var odd = record
        odd.client = "a\"b\nc"
        #expect(odd.journalFallbackLine.contains(#"CONDENSER_CLIENT="a\"b\nc""#))
    }
}
