import CondenserTestSupport
import Foundation
import Testing

@testable import SystemdKit

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
}
