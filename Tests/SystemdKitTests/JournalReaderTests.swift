import CondenserCore
import Foundation
import SystemdKit
import Testing

@Suite struct JournalReaderTests {
    /// Reads the entries carrying `token` until `count` arrived: journald writes them
    /// a moment after the datagram.
    func entries(
        _ source: JournalReader.Source = .local, field: String = "CONDENSER_TEST_TOKEN", token: String, count: Int,
        since: Date? = nil, until: Date? = nil
    ) async throws -> [JournalEntry] {
        var found: [JournalEntry] = []
        for _ in 0..<50 {
            let reader = try JournalReader(source: source)
            try reader.addMatch(field: field, value: token)
            found = try reader.entries(since: since, until: until)
            if found.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return found
    }

    func newToken() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "") }

    @Test func readsBackWhatWasWrittenInOrder() async throws {
        try await Journald.shared.use {
            let token = newToken()
            let before = Date()
            let writer = JournalWriter()
            for index in 1...3 {
                try writer.send([("MESSAGE", "reader test \(index)"), ("CONDENSER_TEST_TOKEN", token), ("CONDENSER_INDEX", "\(index)")])
            }
            let read = try await entries(token: token, count: 3)
            #expect(read.map { $0.fields["CONDENSER_INDEX"] } == ["1", "2", "3"])
            #expect(read.map { $0.fields["MESSAGE"] } == ["reader test 1", "reader test 2", "reader test 3"])
            #expect(read.allSatisfy { $0.fields["_PID"] == String(getpid()) })
            let first = try #require(read.first)
            #expect(abs(first.date.timeIntervalSince(before)) < 60)

            // The window keeps the entries inside it, ends included.
            #expect(try await entries(token: token, count: 0, since: read[1].date, until: read[2].date).count == 2)
            #expect(try await entries(token: token, count: 0, since: read[2].date.addingTimeInterval(1)).isEmpty)
            #expect(try await entries(token: token, count: 0, until: read[0].date.addingTimeInterval(-1)).isEmpty)
        }
    }

    @Test func readsADirectoryAndFiles() async throws {
        try await Journald.shared.use {
            let token = newToken()
            try JournalWriter().send([("MESSAGE", "directory test"), ("CONDENSER_TEST_TOKEN", token)])
            #expect(try await entries(token: token, count: 1).count == 1)

            let root = "/run/log/journal"
            let machines = try FileManager.default.contentsOfDirectory(atPath: root).map { "\(root)/\($0)" }
            let directory = try #require(machines.first { !(try FileManager.default.contentsOfDirectory(atPath: $0).isEmpty) })
            #expect(try await entries(.directory(directory), token: token, count: 1).count == 1)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".journal") }.map { "\(directory)/\($0)" }
            #expect(try await entries(.files(files), token: token, count: 1).count == 1)
        }
    }

    @Test func missingFilesDoNotOpen() {
        #expect(throws: JournalReadError.self) { try JournalReader(source: .files(["/nonexistent/condenser.journal"])) }
    }

    @Test func savingsRecordsAddUpInAReport() async throws {
        try await Journald.shared.use {
            let conversation = newToken()
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
            let read = try await entries(field: "CONDENSER_CONVERSATION", token: conversation, count: known.count)
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
            let output = try run("/usr/bin/journalctl", [
                "-o", "json", "--no-pager", "MESSAGE_ID=\(SavingsRecord.journalMessageID)",
                "CONDENSER_CONVERSATION=\(conversation)",
            ])
            let objects = output.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(objects.count == 3)
            #expect(objects.compactMap { ($0["CONDENSER_TOKENS_SAVED"] as? String).flatMap(Int.init) }.reduce(0, +) == 32_972)
            #expect(objects.first?["MESSAGE"] as? String == "gpt-4o: 48,210 → 21,904 tokens (−55%) in 1.8 ms")
        }
    }
}
