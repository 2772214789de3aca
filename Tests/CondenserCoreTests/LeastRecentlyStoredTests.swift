import Testing

@testable import CondenserCore

@Suite struct LeastRecentlyStoredTests {
    @Test func storingOneTooManyDropsTheOneStoredLongestAgo() {
        var store = LeastRecentlyStored<String, Int>(maximumEntries: 2)
        store.store(1, for: "a")
        store.store(2, for: "b")
        store.store(10, for: "a") // stored again: now the newest
        store.store(3, for: "c")
        #expect(store.count == 2)
        #expect(store["a"] == 10)
        #expect(store["b"] == nil)
        #expect(store["c"] == 3)
    }

    @Test func removingTakesTheValueOut() {
        var store = LeastRecentlyStored<String, Int>(maximumEntries: 0)
        store.store(1, for: "a")
        #expect(store.maximumEntries == 1)
        #expect(store.removeValue(forKey: "a") == 1)
        #expect(store.isEmpty)
    }
}
