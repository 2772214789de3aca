import Synchronization

/// Where the summary boundary of each recent conversation was, and when the
/// conversation was last forwarded: what the pipeline knows of the provider's prompt
/// cache.
///
/// A re-cut costs only because the provider has the old prefix cached. When it can't
/// have (a conversation this process never forwarded, or one idle for longer than a
/// provider keeps a cache), the re-cut is free, and the pipeline summarises as deep as
/// the recency window allows. Otherwise it continues from the recorded boundary with
/// the planned re-cuts of `SummaryBoundary`.
///
/// A conversation is known by the chained hash of its messages: a request that extends
/// an earlier one finds the earlier one's entry under the hash of its own first messages.
final class CutLedger: Sendable {
    struct Entry: Sendable, Equatable {
        var boundary: Int
        var lastForwarded: ContinuousClock.Instant
    }

    private struct State {
        var entries: [StableHash: Entry] = [:]
    }

    private let state = Mutex(State())
    let maximumEntries: Int

    init(maximumEntries: Int) {
        self.maximumEntries = max(1, maximumEntries)
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// The entry of the longest prefix of a request that was forwarded before, with the
    /// number of messages in that prefix.
    ///
    /// - Parameter prefixKeys: `prefixKeys[i]` is the key of the request's first `i + 1` messages.
    func latest(_ prefixKeys: [StableHash]) -> (messages: Int, entry: Entry)? {
        state.withLock { state in
            for index in prefixKeys.indices.reversed() {
                if let entry = state.entries[prefixKeys[index]] { return (index + 1, entry) }
            }
            return nil
        }
    }

    /// Records that a request whose messages hash to `key` went upstream with this boundary.
    func record(_ key: StableHash, boundary: Int, at instant: ContinuousClock.Instant) {
        state.withLock { state in
            state.entries[key] = Entry(boundary: boundary, lastForwarded: instant)
            guard state.entries.count > maximumEntries else { return }
            // Drop the least recently forwarded quarter, so pruning is amortised over many records.
            let ordered = state.entries.sorted { $0.value.lastForwarded < $1.value.lastForwarded }
            for (key, _) in ordered.prefix(max(1, state.entries.count - maximumEntries * 3 / 4)) {
                state.entries[key] = nil
            }
        }
    }
}
