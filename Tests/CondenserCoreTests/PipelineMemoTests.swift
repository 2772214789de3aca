import Testing

@testable import CondenserCore

@Suite struct PipelineMemoTests {
    func result(_ text: String) -> MessageResult {
        MessageResult(outputs: [text], savings: [], records: [])
    }

    @Test func returnsWhatWasStored() {
        let memo = PipelineMemo(maximumEntries: 16, maximumBytes: 1 << 20)
        memo.insert(result("a"), for: StableHash("k"))
        #expect(memo.value(for: StableHash("k"))?.outputs == ["a"])
        #expect(memo.value(for: StableHash("other")) == nil)
    }

    @Test func evictsTheLeastRecentlyUsedBeyondItsEntryBound() {
        let memo = PipelineMemo(maximumEntries: 16, maximumBytes: 1 << 20)
        for index in 0..<16 { memo.insert(result("\(index)"), for: StableHash("k\(index)")) }
        _ = memo.value(for: StableHash("k0"))
        memo.insert(result("16"), for: StableHash("k16"))
        #expect(memo.count <= 16)
        #expect(memo.value(for: StableHash("k0")) != nil)
        #expect(memo.value(for: StableHash("k1")) == nil)
        #expect(memo.value(for: StableHash("k16")) != nil)
    }

    @Test func staysWithinItsByteBound() {
        let memo = PipelineMemo(maximumEntries: 1000, maximumBytes: 10_000)
        for index in 0..<100 { memo.insert(result(String(repeating: "x", count: 1000)), for: StableHash("k\(index)")) }
        #expect(memo.count < 10)
        #expect(memo.value(for: StableHash("k99")) != nil)
    }
}
