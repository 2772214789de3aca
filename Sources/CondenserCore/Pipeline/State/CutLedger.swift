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
/// Of the entries a request finds, the one forwarded last speaks for it: that is its own
/// history. A conversation seen again from its start (a retry, a fork, a rerun) then
/// continues from its own previous request, never from a cut made earlier for a longer
/// version of it, whose prefix the provider cached under other bytes.
///
/// With a `ConversationStateStore`, the ledger starts from what the store holds and every
/// record is written behind, so a restarted process continues each conversation as the
/// old one would have.
final class CutLedger: Sendable {
    struct Entry: Sendable, Equatable {
        var boundary: Int
        var lastForwarded: ContinuousClock.Instant
        /// Messages before this index went upstream as the client sent them, and must go
        /// so again (a conversation first met holding signed thinking: see
        /// `FrontRequest.pinnedPrefix`).
        var verbatimPrefix: Int = 0
    }

    private struct State {
        var entries: [StableHash: Entry] = [:]
    }

    private let state = Mutex(State())
    let maximumEntries: Int
    let store: ConversationStateStore?

    init(maximumEntries: Int, store: ConversationStateStore? = nil) {
        self.maximumEntries = max(1, maximumEntries)
        self.store = store
        guard let store else { return }
        let loaded = store.load()
        state.withLock { state in
            state.entries = loaded
            Self.prune(&state, to: self.maximumEntries)
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Of the prefixes of a request that were forwarded before, the one forwarded last
    /// (the longer one when two were forwarded at the same instant), with the number of
    /// messages in that prefix.
    ///
    /// - Parameter prefixKeys: `prefixKeys[i]` is the key of the request's first `i + 1` messages.
    func latest(_ prefixKeys: [StableHash]) -> (messages: Int, entry: Entry)? {
        state.withLock { state in
            var found: (messages: Int, entry: Entry)?
            for index in prefixKeys.indices.reversed() {
                guard let entry = state.entries[prefixKeys[index]] else { continue }
                if found == nil || entry.lastForwarded > found!.entry.lastForwarded { found = (index + 1, entry) }
            }
            return found
        }
    }

    /// The entry of exactly the prefix `key` stands for.
    func entry(for key: StableHash) -> Entry? {
        state.withLock { $0.entries[key] }
    }

    /// Records that a request whose messages hash to `key` went upstream with this
    /// boundary, its first `verbatimPrefix` messages as the client sent them.
    func record(_ key: StableHash, boundary: Int, verbatimPrefix: Int = 0, at instant: ContinuousClock.Instant) {
        state.withLock { state in
            state.entries[key] = Entry(boundary: boundary, lastForwarded: instant, verbatimPrefix: verbatimPrefix)
            Self.prune(&state, to: maximumEntries)
        }
        store?.scheduleSave { [self] in state.withLock { $0.entries } }
    }

    /// Waits until the store has every record made so far (at shutdown, and for tests).
    func flush() {
        store?.flush()
    }

    /// Drops the least recently forwarded quarter when over the bound, so pruning is
    /// amortised over many records.
    private static func prune(_ state: inout State, to maximumEntries: Int) {
        guard state.entries.count > maximumEntries else { return }
        let ordered = state.entries.sorted { $0.value.lastForwarded < $1.value.lastForwarded }
        for (key, _) in ordered.prefix(max(1, state.entries.count - maximumEntries * 3 / 4)) {
            state.entries[key] = nil
        }
    }
}
