import Synchronization

/// Stores token counts by content hash (it counts nothing itself), bounded in memory,
/// shared between threads.
///
/// Two generations instead of a full LRU: lookups hit the current generation, or the
/// previous one (and are promoted); when the current one fills, it becomes the previous
/// one and the old previous one is dropped. At most `capacity` entries are held, and
/// whatever a conversation keeps resending stays in.
final class TokenCountCache: Sendable {
    private struct Generations {
        var current: [StableHash: Int] = [:]
        var previous: [StableHash: Int] = [:]
    }

    private let state = Mutex(Generations())
    private let generationCapacity: Int

    init(capacity: Int) {
        generationCapacity = max(1, capacity / 2)
    }

    func count(for key: StableHash) -> Int? {
        state.withLock { generations in
            if let count = generations.current[key] { return count }
            guard let count = generations.previous[key] else { return nil }
            Self.insert(key, count, into: &generations, capacity: generationCapacity)
            return count
        }
    }

    func store(_ count: Int, for key: StableHash) {
        state.withLock { generations in
            Self.insert(key, count, into: &generations, capacity: generationCapacity)
        }
    }

    /// The number of entries held, for tests.
    var entryCount: Int {
        state.withLock { $0.current.count + $0.previous.count }
    }

    private static func insert(_ key: StableHash, _ count: Int, into generations: inout Generations, capacity: Int) {
        if generations.current.count >= capacity {
            generations.previous = generations.current
            generations.current = [:]
            generations.current.reserveCapacity(capacity)
        }
        generations.current[key] = count
    }
}
