import Foundation
import Synchronization
import Testing

@testable import CondenserCore

/// Warnings a store gave, for the tests to read.
final class Warnings: Sendable {
    private let messages = Mutex<[String]>([])
    var all: [String] { messages.withLock { $0 } }
    var sink: @Sendable (String) -> Void { { [self] message in messages.withLock { $0.append(message) } } }
}

/// A fresh directory under the temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path = NSTemporaryDirectory() + "condenser-state-test-\(UUID().uuidString)"
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ConversationStateStoreTests {
    func store(_ directory: String, megabytes: Int = 8, maximumAge: Duration = .seconds(86_400), warnings: Warnings = Warnings())
        -> ConversationStateStore
    {
        ConversationStateStore(directory: directory + "/state", maximumBytes: megabytes << 20, maximumAge: maximumAge, warn: warnings.sink)
    }

    @Test func aLedgerStartsFromWhatTheLastOneRecorded() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let now = ContinuousClock.now
        let first = CutLedger(maximumEntries: 16, store: store(directory.path))
        first.record(StableHash("a"), boundary: 0, at: now - .seconds(30))
        first.record(StableHash("b"), boundary: 7, at: now - .seconds(5))
        first.flush()
        let warnings = Warnings()
        let second = CutLedger(maximumEntries: 16, store: store(directory.path, warnings: warnings))
        #expect(second.count == 2)
        let found = try #require(second.latest([StableHash("b")]))
        #expect(found.entry.boundary == 7)
        // Times survive on the wall clock, to the millisecond or so.
        let drift = found.entry.lastForwarded - (now - .seconds(5))
        #expect(drift < .milliseconds(50) && drift > .milliseconds(-50))
        #expect(second.latest([StableHash("a")])?.entry.boundary == 0)
        #expect(warnings.all.isEmpty)
        // Private to the daemon's user, and no temporary file left behind.
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/state/conversations")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: directory.path + "/state")
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/state") == ["conversations"])
    }

    @Test(arguments: [
        "condenser-conversation-state 1\n0123456789abcdef0123456789abcdef 3 1\n",
        "condenser-conversation-state 2\n0123456789abcdef0123456789abcdef three 1\n",
        "condenser-conversation-state 2\nnot hex at all 3 1\n",
        "{\"entries\": []}",
        "",
    ])
    func aCorruptOrForeignFileIsIgnoredWithAWarningAndReplaced(_ content: String) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/state", withIntermediateDirectories: true)
        try content.write(toFile: directory.path + "/state/conversations", atomically: true, encoding: .utf8)
        let warnings = Warnings()
        let ledger = CutLedger(maximumEntries: 16, store: store(directory.path, warnings: warnings))
        #expect(ledger.count == 0)
        #expect(warnings.all.count == 1)
        #expect(warnings.all.allSatisfy { !$0.contains("0123456789abcdef") })
        ledger.record(StableHash("a"), boundary: 2, at: .now)
        ledger.flush()
        #expect(CutLedger(maximumEntries: 16, store: store(directory.path)).latest([StableHash("a")])?.entry.boundary == 2)
    }

    @Test func invalidBytesAreIgnoredToo() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/state", withIntermediateDirectories: true)
        try Data([0xFF, 0xFE, 0x00, 0x80]).write(to: URL(fileURLWithPath: directory.path + "/state/conversations"))
        let warnings = Warnings()
        #expect(CutLedger(maximumEntries: 16, store: store(directory.path, warnings: warnings)).count == 0)
        #expect(warnings.all.count == 1)
    }

    @Test func staysWithinItsAgeAndSizeKeepingTheNewest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let now = ContinuousClock.now
        let small = store(directory.path, megabytes: 1, maximumAge: .seconds(3600))
        let ledger = CutLedger(maximumEntries: 100_000, store: small)
        let capacity = small.maximumEntries
        for index in 0..<(capacity + 500) {
            ledger.record(StableHash("conversation \(index)"), boundary: index % 50, at: now - .milliseconds(capacity + 500 - index))
        }
        ledger.record(StableHash("stale"), boundary: 1, at: now - .seconds(7200))
        ledger.flush()
        let size = try #require(FileManager.default.attributesOfItem(atPath: small.path)[.size] as? Int)
        #expect(size <= 1 << 20)
        let reloaded = CutLedger(maximumEntries: 100_000, store: store(directory.path, megabytes: 1, maximumAge: .seconds(3600)))
        #expect(reloaded.count == capacity)
        #expect(reloaded.latest([StableHash("conversation \(capacity + 499)")]) != nil)
        #expect(reloaded.latest([StableHash("conversation 0")]) == nil)
        #expect(reloaded.latest([StableHash("stale")]) == nil)
    }

    @Test func anUnwritableDirectoryWarnsOnceAndCompressionGoesOn() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A file where the directory should be: nothing can be written under it, even as root.
        try "not a directory".write(toFile: directory.path, atomically: true, encoding: .utf8)
        let warnings = Warnings()
        let ledger = CutLedger(maximumEntries: 16, store: store(directory.path, warnings: warnings))
        for index in 0..<5 {
            ledger.record(StableHash("\(index)"), boundary: 0, at: .now)
            ledger.flush()
        }
        #expect(warnings.all.count == 1)
        #expect(ledger.count == 5)
    }

    @Test func theDefaultDirectoryFollowsSystemdThenXDG() {
        #expect(
            ConversationStateStore.defaultDirectory(environment: [
                "STATE_DIRECTORY": "/var/lib/condenser:/var/lib/other", "HOME": "/home/a",
            ]) == "/var/lib/condenser")
        #expect(
            ConversationStateStore.defaultDirectory(environment: ["XDG_STATE_HOME": "/home/a/state", "HOME": "/home/a"])
                == "/home/a/state/condenser")
        #expect(
            ConversationStateStore.defaultDirectory(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/a"])
                == "/home/a/.local/state/condenser")
        #expect(ConversationStateStore.defaultDirectory(environment: [:]) == nil)
    }
}
