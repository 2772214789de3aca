import CondenserCore
import Foundation
import SystemdKit
import Testing

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

    @Test func refusesAnUnknownGroupingAndTime() throws {
        #expect(try CondenserBinary.run(["report", "--by", "weekday"]).status != 0)
        #expect(try CondenserBinary.run(["report", "--since", "soon"]).status != 0)
    }
}
