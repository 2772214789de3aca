import Synchronization

/// A bounded, thread-safe memo of per-message results, least recently used first out.
///
/// A growing conversation sends the same earlier messages with every request; their
/// results come from here, so each request works only on its new content. Bounded both
/// by entries and by the bytes of text held.
final class PipelineMemo: Sendable {
    private struct Slot {
        var result: MessageResult
        var lastUse: UInt64
    }

    private struct State {
        var slots: [StableHash: Slot] = [:]
        var clock: UInt64 = 0
        var bytes = 0
    }

    private let state = Mutex(State())
    let maximumEntries: Int
    let maximumBytes: Int

    init(maximumEntries: Int, maximumBytes: Int) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }

    var count: Int { state.withLock { $0.slots.count } }

    func value(for key: StableHash) -> MessageResult? {
        state.withLock { state in
            guard var slot = state.slots[key] else { return nil }
            state.clock += 1
            slot.lastUse = state.clock
            state.slots[key] = slot
            return slot.result
        }
    }

    func insert(_ result: MessageResult, for key: StableHash) {
        state.withLock { state in
            state.clock += 1
            if let old = state.slots.updateValue(Slot(result: result, lastUse: state.clock), forKey: key) {
                state.bytes -= old.result.byteSize
            }
            state.bytes += result.byteSize
            if state.slots.count > maximumEntries || state.bytes > maximumBytes { evict(&state) }
        }
    }

    /// Drops the least recently used quarter (at least down to the bounds), so eviction
    /// cost is amortised over many inserts.
    private func evict(_ state: inout State) {
        let ordered = state.slots.sorted { $0.value.lastUse < $1.value.lastUse }
        var index = 0
        let targetEntries = maximumEntries * 3 / 4
        let targetBytes = maximumBytes * 3 / 4
        while index < ordered.count, state.slots.count > targetEntries || state.bytes > targetBytes {
            let (key, slot) = ordered[index]
            state.slots[key] = nil
            state.bytes -= slot.result.byteSize
            index += 1
        }
    }
}
