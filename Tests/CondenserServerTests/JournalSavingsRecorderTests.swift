import Synchronization
import Testing

@testable import CondenserCore
@testable import CondenserServer

@Suite struct JournalSavingsRecorderTests {
    @Test func sendsOneEntryPerRecord() throws {
        let sink = FakeJournalSink()
        let recorder = JournalSavingsRecorder(sink: sink, fallback: { _ in Issue.record("no fallback expected") })
        let records = [SavingsRecord.fixture(tokensIn: 100, tokensOut: 40), .fixture(model: "o3", tokensIn: 7, tokensOut: 7)]
        records.forEach(recorder.record)
        #expect(sink.entries.count == 2)
        let first = try #require(sink.entries.first)
        #expect(first.map(\.name) == records[0].journalFields.map(\.name))
        #expect(first.first { $0.name == "MESSAGE" }?.value == "gpt-4o: 100 → 40 tokens (−60%) in 1.0 ms")
        #expect(recorder.failedWrites == 0)
    }

    @Test func fallsBackToOneLineWhenTheJournalRefuses() {
        let lines = Mutex<[String]>([])
        let recorder = JournalSavingsRecorder(
            sink: FakeJournalSink(refuses: true), fallback: { line in lines.withLock { $0.append(line) } })
        let record = SavingsRecord.fixture(tokensIn: 100, tokensOut: 40)
        recorder.record(record)
        recorder.record(record)
        #expect(recorder.failedWrites == 2)
        #expect(lines.withLock { $0 } == [record.journalFallbackLine, record.journalFallbackLine])
    }
}
