import CondenserTestSupport
import Foundation
import Testing

@testable import SystemdKit

@Suite struct JournalWriterTests {
    @Test func acceptsOnlyNamesJournaldKeeps() {
        for name in ["MESSAGE", "CONDENSER_TOKENS_IN", "A", "X9_Y", String(repeating: "A", count: 64)] {
            #expect(JournalWriter.isValidFieldName(name), "\(name)")
        }
        for name in ["", "_PID", "message", "TOKENS-IN", "9LIVES", "CONDENSER TOKENS", "ÉTÉ", String(repeating: "A", count: 65)] {
            #expect(!JournalWriter.isValidFieldName(name), "\(name)")
        }
    }

    @Test func refusesAnInvalidNameAndCountsIt() {
        let writer = JournalWriter()
        #expect(throws: JournalWriteError.invalidFieldName("tokens_in")) {
            try writer.send([("MESSAGE", "x"), ("tokens_in", "3")])
        }
        #expect(throws: JournalWriteError.self) { try writer.send([]) }
        #expect(writer.failedWrites == 2)
    }

    @Test func writesFieldsJournalctlShows() async throws {
        try await Journald.shared.use {
            let token = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let writer = JournalWriter()
            try writer.send([
                ("MESSAGE_ID", "0f8e1a3c7b0d4e6fa2b9c1d3e5f70819"), ("MESSAGE", "writer test"),
                ("CONDENSER_TEST_TOKEN", token), ("CONDENSER_MULTI", "two\nlines"), ("CONDENSER_EMPTY", ""),
            ])
            #expect(writer.failedWrites == 0)

            var entry: [String: Any]?
            for _ in 0..<50 where entry == nil {
                let output = try run("/usr/bin/journalctl", ["-o", "json", "--no-pager", "CONDENSER_TEST_TOKEN=\(token)"])
                entry = output.split(separator: "\n").first.flatMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                if entry == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let found = try #require(entry)
            #expect(found["MESSAGE"] as? String == "writer test")
            #expect(found["MESSAGE_ID"] as? String == "0f8e1a3c7b0d4e6fa2b9c1d3e5f70819")
            #expect(found["CONDENSER_EMPTY"] as? String == "")
            #expect(found["CONDENSER_MULTI"] as? String == "two\nlines")
        }
    }
}
