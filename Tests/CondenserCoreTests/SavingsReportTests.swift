import Foundation
import Testing

@testable import CondenserCore

@Suite struct SavingsReportTests {
    let utc = TimeZone(identifier: "UTC")!

    func record(
        _ day: Int, _ hour: Int, model: String, client: String = "", conversation: String = "c1",
        in tokensIn: Int, out tokensOut: Int, failOpen: String? = nil, stages: [StageSavings] = []
    ) -> SavingsRecord {
        // 2026-11-<day> <hour>:00 UTC.
        let timestamp = Date(timeIntervalSince1970: 1_793_491_200 + Double(day - 1) * 86_400 + Double(hour) * 3600)
        return SavingsRecord(
            requestID: UUID().uuidString, timestamp: timestamp, model: model, client: client, endpoint: "/v1/chat/completions",
            mode: .safe, tokensIn: tokensIn, tokensOut: tokensOut, stages: stages, upstreamStatus: 200,
            compressionMicros: 900, upstreamFirstByteMicros: nil, conversationFingerprint: conversation,
            failOpenReason: failOpen)
    }

    var records: [SavingsRecord] {
        [
            record(
                20, 9, model: "gpt-4o", client: "aider", in: 10_000, out: 6_000,
                stages: [StageSavings(stage: "whitespace", tokensBefore: 10_000, tokensAfter: 6_000)]),
            record(20, 23, model: "o3-mini", client: "aider", conversation: "c2", in: 2_000, out: 2_000, failOpen: "timeout"),
            record(
                21, 1, model: "gpt-4o", in: 50_000, out: 20_000,
                stages: [
                    StageSavings(stage: "whitespace", tokensBefore: 50_000, tokensAfter: 45_000),
                    StageSavings(stage: "dedupe", tokensBefore: 45_000, tokensAfter: 20_000),
                ]),
            record(19, 12, model: "gpt-4o", client: "cline", conversation: "c3", in: 1_000, out: 900),
        ]
    }

    /// Anthropic's counts are o200k estimates: their own rows and total, never added to exact ones.
    @Test func estimatedCountsNeverMixWithExactOnes() throws {
        var claude = record(20, 10, model: "claude-sonnet-4-5", in: 8_000, out: 3_000)
        claude.tokenCount = .estimated
        var claudeAgain = record(21, 10, model: "claude-sonnet-4-5", in: 2_000, out: 1_000)
        claudeAgain.tokenCount = .estimated
        let report = SavingsReport(records: records + [claude, claudeAgain], by: .model, timeZone: utc)
        #expect(report.total.tokensIn == 63_000)
        #expect(report.estimatedTotal?.tokensIn == 10_000)
        #expect(report.estimatedTotal?.requests == 2)
        let estimatedRows = report.rows.filter { $0.count == .estimated }
        #expect(estimatedRows.map(\.key) == ["claude-sonnet-4-5"])
        let table = report.table()
        #expect(table.contains("claude-sonnet-4-5 (estimated)"))
        #expect(table.split(separator: "\n").filter { $0.hasPrefix("total") }.count == 2)
        #expect(table.contains("total (estimated)"))
        let byDay = SavingsReport(records: records + [claude], by: .day, timeZone: utc)
        #expect(byDay.rows.filter { $0.key == "2026-11-20" }.map(\.count) == [.exact, .estimated])
        #expect(byDay.dayChart().contains("estimated"))
        let json = try report.json()
        #expect(json.contains("\"estimatedTotal\""))
        // Read back from the journal, the mark survives.
        let fields = Dictionary(claude.journalFields.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        #expect(SavingsRecord(journalFields: fields, timestamp: claude.timestamp)?.tokenCount == .estimated)
        #expect(SavingsReport(records: records, by: .model).estimatedTotal == nil)
    }

    @Test func totalsAreSumsOfTheRecords() {
        let report = SavingsReport(records: records, by: .model, timeZone: utc)
        #expect(report.total.requests == 4)
        #expect(report.total.tokensIn == 63_000)
        #expect(report.total.tokensOut == 28_900)
        #expect(report.total.tokensSaved == 34_100)
        #expect(report.total.failOpens == 1)
        #expect(report.stages == ["whitespace": 9_000, "dedupe": 25_000])
        #expect(report.rows.map(\.key) == ["gpt-4o", "o3-mini"])
        #expect(report.rows.map(\.tokensSaved) == [34_100, 0])
        #expect(report.rows.map(\.requests).reduce(0, +) == report.total.requests)
    }

    @Test func groupsByDayClientAndConversation() {
        let days = SavingsReport(records: records, by: .day, timeZone: utc)
        #expect(days.rows.map(\.key) == ["2026-11-19", "2026-11-20", "2026-11-21"])
        #expect(days.rows.map(\.tokensSaved) == [100, 4_000, 30_000])
        // The day boundary is the time zone's: 23:00 UTC on the 20th is the 21st in Berlin.
        let berlin = SavingsReport(records: records, by: .day, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(berlin.rows.map(\.requests) == [1, 1, 2])

        let clients = SavingsReport(records: records, by: .client, timeZone: utc)
        #expect(clients.rows.map(\.key) == ["(none)", "aider", "cline"])
        #expect(clients.rows.map(\.requests) == [1, 2, 1])
        let conversations = SavingsReport(records: records, by: .conversation, timeZone: utc)
        #expect(conversations.rows.map(\.key) == ["c1", "c3", "c2"])
        #expect(conversations.days == days.days)
    }

    @Test func jsonCarriesTheSameFigures() throws {
        let report = SavingsReport(records: records, by: .model, since: Date(timeIntervalSince1970: 0), timeZone: utc)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let total = try #require(object["total"] as? [String: Any])
        #expect(total["tokensSaved"] as? Int == 34_100)
        #expect(total["tokensIn"] as? Int == 63_000)
        #expect(total["savedPercent"] as? Double == 54.1)
        #expect(object["grouping"] as? String == "model")
        #expect(object["since"] as? String == "1970-01-01T00:00:00Z")
        #expect((object["rows"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["gpt-4o", "o3-mini"])
        #expect((object["days"] as? [Any])?.count == 3)
    }

    @Test func tableAlignsFiguresAndEndsWithTheTotal() {
        let table = SavingsReport(records: records, by: .model, timeZone: utc).table()
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("MODEL"))
        #expect(lines[2].hasPrefix("gpt-4o "))
        #expect(lines[2].contains("61,000") && lines[2].contains("34,100") && lines[2].contains("55.9%"))
        #expect(lines[5].hasPrefix("total ") && lines[5].contains("63,000") && lines[5].contains("54.1%"))
        // Right-aligned columns end together.
        #expect(Set(lines.filter { !$0.hasPrefix("─") }.map(\.count)).count == 1)
    }

    @Test func billedColumnsShowOnlyWhenARecordHasBilledFigures() throws {
        var billed = records
        billed[0].billed = BilledUsage(inputTokens: 6_000, cacheReadTokens: 4_500)
        billed[2].billed = BilledUsage(inputTokens: 19_000, cacheReadTokens: 15_500)
        billed[1].billed = BilledUsage(inputTokens: 2_000)
        let report = SavingsReport(records: billed, by: .model, timeZone: utc)
        let gpt = try #require(report.rows.first { $0.key == "gpt-4o" })
        #expect(gpt.billedRequests == 2)
        #expect(gpt.billedInputTokens == 25_000)
        #expect(gpt.cacheReadPercent == 80)
        // o3-mini's response billed input but said nothing of its cache: no share.
        #expect(report.rows.first { $0.key == "o3-mini" }?.cacheReadPercent == nil)
        #expect(report.total.billedInputTokens == 27_000)
        #expect(report.total.cacheReadPercent == 80)

        let lines = report.table().split(separator: "\n").map(String.init)
        #expect(lines[0].hasSuffix("BILLED IN  CACHE READ %"))
        #expect(lines[2].hasPrefix("gpt-4o ") && lines[2].hasSuffix("25,000" + String(repeating: " ", count: 9) + "80.0%"))
        #expect(lines[3].hasPrefix("o3-mini ") && lines[3].hasSuffix("2,000" + String(repeating: " ", count: 13) + "-"))
        #expect(Set(lines.filter { !$0.hasPrefix("─") }.map(\.count)).count == 1)
        #expect(!SavingsReport(records: records, by: .model, timeZone: utc).table().contains("BILLED"))

        var written = billed
        written[3].billed = BilledUsage(inputTokens: 1_000, cacheReadTokens: 0, cacheWriteTokens: 900)
        let withWrites = SavingsReport(records: written, by: .conversation, timeZone: utc).table()
        #expect(withWrites.split(separator: "\n").first?.hasSuffix("CACHE READ %  CACHE WRITE") == true)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let total = try #require(object["total"] as? [String: Any])
        #expect(total["billedInputTokens"] as? Int == 27_000)
        #expect(total["billedCacheReadTokens"] as? Int == 20_000)
        #expect(total["cacheReadPercent"] as? Double == 80)
    }

    @Test func chartScalesBarsToTheBestDay() {
        let chart = SavingsReport(records: records, by: .model, timeZone: utc).dayChart(width: 10)
        let lines = chart.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "2026-11-19            100 (10%)",
                "2026-11-20 █▎         4.0k (33%)",
                "2026-11-21 ██████████ 30.0k (60%)",
            ])
        #expect(SavingsReport(records: [], by: .day).dayChart() == "")
    }

    @Test func abbreviatesCounts() {
        #expect(SavingsReport.abbreviated(950) == "950")
        #expect(SavingsReport.abbreviated(12_345) == "12.3k")
        #expect(SavingsReport.abbreviated(1_200_000) == "1.2M")
        #expect(SavingsReport.abbreviated(450_000) == "450k")
        #expect(SavingsReport.abbreviated(-2_500) == "-2.5k")
    }
}
