/// Values by key, at most `maximumEntries` of them: storing one more drops the one stored
/// longest ago. Not synchronised; its owners keep it under their lock.
struct LeastRecentlyStored<Key: Hashable, Value> {
    private var entries: [Key: (value: Value, stored: UInt64)] = [:]
    private var clock: UInt64 = 0
    let maximumEntries: Int

    init(maximumEntries: Int) {
        self.maximumEntries = max(1, maximumEntries)
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    subscript(key: Key) -> Value? { entries[key]?.value }

    mutating func removeValue(forKey key: Key) -> Value? {
        entries.removeValue(forKey: key)?.value
    }

    mutating func store(_ value: Value, for key: Key) {
        clock += 1
        entries[key] = (value, clock)
        guard entries.count > maximumEntries, let oldest = entries.min(by: { $0.value.stored < $1.value.stored }) else { return }
        entries[oldest.key] = nil
    }
}
