import CondenserCore
import Foundation
import Synchronization
import SystemdKit

/// Where journal entries go: the real journal, or a fake in tests.
package protocol JournalSink: Sendable {
    /// Writes one entry; throws when it did not reach the journal.
    func send(_ fields: [(name: String, value: String)]) throws
}

extension JournalWriter: JournalSink {}

/// Writes one structured journal entry per request (see `SavingsRecord.journalFields`),
/// under `SavingsRecord.journalMessageID`.
///
/// When the journal cannot take an entry (no journald, a full socket), the record goes
/// to stderr as one line, which systemd also captures, and the miss is counted.
package final class JournalSavingsRecorder: SavingsRecorder {
    private let sink: any JournalSink
    private let fallback: @Sendable (String) -> Void
    private let fallbacks = Atomic<Int>(0)

    /// - Parameters:
    ///   - sink: the journal; `JournalWriter()` outside tests.
    ///   - fallback: takes the one-line form of a record the journal refused.
    package init(
        sink: any JournalSink = JournalWriter(),
        fallback: @escaping @Sendable (String) -> Void = JournalSavingsRecorder.writeToStandardError
    ) {
        self.sink = sink
        self.fallback = fallback
    }

    /// Records that went to the fallback instead of the journal.
    var failedWrites: Int { fallbacks.load(ordering: .relaxed) }

    package func record(_ record: SavingsRecord) {
        do {
            try sink.send(record.journalFields)
        } catch {
            fallbacks.add(1, ordering: .relaxed)
            fallback(record.journalFallbackLine)
        }
    }

    /// Writes `line` and a newline to stderr in one call, so concurrent lines don't mix.
    @Sendable static func writeToStandardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The savings records in a journal, oldest first, between `since` and `until`.
    package static func records(
        from source: JournalReader.Source = .local, since: Date? = nil, until: Date? = nil
    ) throws -> [SavingsRecord] {
        let reader = try JournalReader(source: source)
        try reader.addMatch(field: "MESSAGE_ID", value: SavingsRecord.journalMessageID)
        return try reader.entries(since: since, until: until).compactMap { entry in
            SavingsRecord(journalFields: entry.fields, timestamp: entry.date)
        }
    }
}
