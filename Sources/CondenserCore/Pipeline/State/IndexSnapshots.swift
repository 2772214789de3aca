import Synchronization

/// The dedupe and boilerplate indexes as recent requests left them, so the next request
/// of a conversation registers only its new messages instead of every message again.
///
/// A snapshot is stored under the memo key of the last message it holds: like that
/// message's result, the indexes after it depend only on what the key stands for (the
/// messages of its region, its position and the boundary). Taking a snapshot removes it,
/// so the request that takes it owns the indexes and extends them in place, without a
/// copy; it stores them again under its own last message. Bounded by entries, least
/// recently stored first out.
final class IndexSnapshots: Sendable {
    struct Snapshot: Sendable {
        var dedupe: Deduplicator.Index
        var boilerplate: BoilerplateRemover.Index
    }

    private let state: Mutex<LeastRecentlyStored<StableHash, Snapshot>>

    init(maximumEntries: Int) {
        state = Mutex(LeastRecentlyStored(maximumEntries: maximumEntries))
    }

    var count: Int { state.withLock { $0.count } }

    /// Takes out the snapshot of the longest prefix of `keys[..<limit]` that has one, with
    /// the number of messages it holds.
    func take(_ keys: [StableHash], limit: Int) -> (messages: Int, snapshot: Snapshot)? {
        state.withLock { state in
            guard !state.isEmpty else { return nil }
            for index in (0..<min(limit, keys.count)).reversed() {
                if let snapshot = state.removeValue(forKey: keys[index]) { return (index + 1, snapshot) }
            }
            return nil
        }
    }

    func store(_ snapshot: Snapshot, for key: StableHash) {
        state.withLock { $0.store(snapshot, for: key) }
    }
}
