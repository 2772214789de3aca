import Testing

@testable import CondenserCore

@Suite struct IndexSnapshotsTests {
    static func snapshot(_ marker: Int) -> IndexSnapshots.Snapshot {
        var boilerplate = BoilerplateRemover.Index()
        boilerplate.paragraphs[StableHash(high: 0, low: UInt64(marker))] = marker
        return IndexSnapshots.Snapshot(dedupe: Deduplicator.Index(), boilerplate: boilerplate)
    }

    static func keys(_ count: Int) -> [StableHash] {
        (0..<count).map { StableHash("message \($0)") }
    }

    @Test func takesTheLongestPrefixWithinTheLimitAndRemovesIt() throws {
        let snapshots = IndexSnapshots(maximumEntries: 8)
        let keys = Self.keys(10)
        snapshots.store(Self.snapshot(3), for: keys[2])
        snapshots.store(Self.snapshot(6), for: keys[5])
        let taken = try #require(snapshots.take(keys, limit: 10))
        #expect(taken.messages == 6)
        #expect(taken.snapshot.boilerplate.paragraphs[StableHash(high: 0, low: 6)] == 6)
        // Taken means gone: the next longest is what is left.
        #expect(snapshots.take(keys, limit: 10)?.messages == 3)
        #expect(snapshots.count == 0)
        #expect(snapshots.take(keys, limit: 10) == nil)
    }

    @Test func ignoresSnapshotsPastTheLimit() {
        let snapshots = IndexSnapshots(maximumEntries: 8)
        let keys = Self.keys(10)
        snapshots.store(Self.snapshot(8), for: keys[7])
        // Message 7 onwards isn't memoised: a snapshot holding it can't be used.
        #expect(snapshots.take(keys, limit: 7) == nil)
        #expect(snapshots.count == 1)
    }

    @Test func keepsAtMostItsCapacityDroppingTheOldestStored() {
        let snapshots = IndexSnapshots(maximumEntries: 4)
        let keys = Self.keys(20)
        for (index, key) in keys.enumerated() {
            snapshots.store(Self.snapshot(index), for: key)
            #expect(snapshots.count <= 4)
        }
        #expect(snapshots.take(Array(keys.prefix(16)), limit: 16) == nil)
        #expect(snapshots.take(keys, limit: 20)?.messages == 20)
    }
}
