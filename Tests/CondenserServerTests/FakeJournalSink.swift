import Synchronization

@testable import CondenserServer

/// Keeps entries instead of sending them, or refuses them all, for tests of the record
/// format and the fallback.
final class FakeJournalSink: JournalSink {
    struct Refused: Error {}

    let refuses: Bool
    private let sent = Mutex<[[(name: String, value: String)]]>([])

    init(refuses: Bool = false) {
        self.refuses = refuses
    }

    var entries: [[(name: String, value: String)]] { sent.withLock { $0 } }

    func send(_ fields: [(name: String, value: String)]) throws {
        if refuses { throw Refused() }
        sent.withLock { $0.append(fields) }
    }
}
