import CondenserTestSupport
import Foundation
import Testing

@testable import CondenserCore
@testable import SystemdKit
@testable import condenser

/// `condenser report` against the real journal: its figures are the sums of the records sent.
@Suite struct ReportCommandTests {
    @Test func reportSumsTheRecordsSent() async throws {
        try await Journald.shared.use {
            let conversation = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let sent: [(model: String, tokensIn: Int, tokensOut: Int)] = [
                ("gpt-4o", 48_210, 21_904), ("gpt-4o", 12_000, 11_000), ("claude-sonnet", 3_000, 1_500), ("gpt-4o", 700, 700),
            ]
            let writer = JournalWriter()
            for (index, item) in sent.enumerated() {
                let record = SavingsRecord(
                    requestID: "report-\(index)", timestamp: Date(), model: item.model, client: "report-test-\(conversation)",
                    endpoint: "/v1/chat/completions", mode: .safe, tokensIn: item.tokensIn, tokensOut: item.tokensOut,
                    stages: [], upstreamStatus: 200, compressionMicros: 500, upstreamFirstByteMicros: nil,
                    conversationFingerprint: conversation, failOpenReason: index == 3 ? "timeout" : nil)
                try writer.send(record.journalFields)
            }

            // journald stores the datagrams a moment later; wait until the report sees all.
            var row: [String: Any]?
            for _ in 0..<50 {
                let (status, output) = try CondenserBinary.run(["report", "--json", "--by", "conversation", "--since", "-1h"])
                #expect(status == 0)
                let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
                row = (report?["rows"] as? [[String: Any]])?.first { $0["key"] as? String == conversation }
                if row?["requests"] as? Int == sent.count { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let found = try #require(row)
            #expect(found["requests"] as? Int == 4)
            #expect(found["tokensIn"] as? Int == sent.map(\.tokensIn).reduce(0, +))
            #expect(found["tokensOut"] as? Int == sent.map(\.tokensOut).reduce(0, +))
            #expect(found["tokensSaved"] as? Int == 28_806)
            #expect(found["failOpens"] as? Int == 1)

            // The table for the same period carries the same totals for this client.
            let (status, table) = try CondenserBinary.run(["report", "--by", "client", "--since", "-1h"])
            #expect(status == 0)
            let line = try #require(table.split(separator: "\n").first { $0.hasPrefix("report-test-\(conversation) ") })
            #expect(line.contains("63,910") && line.contains("35,104") && line.contains("28,806"))
            #expect(table.contains("Tokens saved per day:"))
        }
    }

    /// What the report reads: the journal's entries for `conversation`, once journald stored `count`.
    func savingsEntries(conversation: String, count: Int) async throws -> [JournalEntry] {
        var found: [JournalEntry] = []
        for _ in 0..<50 {
            let reader = try JournalReader(source: .local)
            try reader.addMatch(field: "CONDENSER_CONVERSATION", value: conversation)
            found = try reader.entries(since: nil, until: nil)
            if found.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return found
    }

    @Test func savingsRecordsAddUpInAReport() async throws {
        try await Journald.shared.use {
            let conversation = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let known: [(model: String, tokensIn: Int, tokensOut: Int, failOpen: String?)] = [
                ("gpt-4o", 48_210, 21_904, nil), ("gpt-4o", 1_000, 1_000, "timeout"), ("o3-mini", 9_999, 3_333, nil),
            ]
            let writer = JournalWriter()
            for (index, item) in known.enumerated() {
                let record = SavingsRecord(
                    requestID: "req-\(index)", timestamp: Date(), model: item.model, client: "test/1.0",
                    endpoint: "/v1/chat/completions", mode: .safe, tokensIn: item.tokensIn, tokensOut: item.tokensOut,
                    stages: [StageSavings(stage: "whitespace", tokensBefore: item.tokensIn, tokensAfter: item.tokensOut)],
                    upstreamStatus: 200, compressionMicros: 1800, upstreamFirstByteMicros: 250_000,
                    conversationFingerprint: conversation, failOpenReason: item.failOpen)
                try writer.send(record.journalFields)
            }
            let read = try await savingsEntries(conversation: conversation, count: known.count)
            #expect(read.allSatisfy { $0.fields["MESSAGE_ID"] == SavingsRecord.journalMessageID })
            let records = read.compactMap { SavingsRecord(journalFields: $0.fields, timestamp: $0.date) }
            #expect(records.map(\.requestID) == ["req-0", "req-1", "req-2"])

            let report = SavingsReport(records: records, by: .model)
            #expect(report.total.requests == 3)
            #expect(report.total.tokensIn == 59_209)
            #expect(report.total.tokensOut == 26_237)
            #expect(report.total.tokensSaved == 32_972)
            #expect(report.total.failOpens == 1)
            #expect(report.rows.map(\.key) == ["gpt-4o", "o3-mini"])
            #expect(report.rows.map(\.tokensSaved) == [26_306, 6_666])
            #expect(report.stages == ["whitespace": 32_972])

            // journalctl sees the same records and the same sums.
            let output = try ChildProcess.run(
                "/usr/bin/journalctl",
                [
                    "-o", "json", "--no-pager", "MESSAGE_ID=\(SavingsRecord.journalMessageID)",
                    "CONDENSER_CONVERSATION=\(conversation)",
                ]
            ).output
            let objects = output.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(objects.count == 3)
            #expect(objects.compactMap { ($0["CONDENSER_TOKENS_SAVED"] as? String).flatMap(Int.init) }.reduce(0, +) == 32_972)
            #expect(objects.first?["MESSAGE"] as? String == "gpt-4o: 48,210 → 21,904 tokens (−55%) in 1.8 ms")
        }
    }

    @Test func refusesAnUnknownGroupingAndTime() throws {
        #expect(try CondenserBinary.run(["report", "--by", "weekday"]).status != 0)
        #expect(try CondenserBinary.run(["report", "--since", "soon"]).status != 0)
    }

    @Test func validatesItsOptionsBeforeReading() throws {
        #expect(throws: (any Error).self) { try ReportCommand.parse(["--by", "weekday"]) }
        #expect(throws: (any Error).self) { try ReportCommand.parse(["--directory", "/tmp", "--file", "/tmp/a.journal"]) }
        let command = try ReportCommand.parse(["--by", "conversation", "--since", "-1h", "--json"])
        #expect(command.by == "conversation" && command.since == "-1h" && command.json)
    }
}
