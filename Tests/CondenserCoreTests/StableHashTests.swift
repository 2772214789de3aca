import Testing
@testable import CondenserCore

@Suite struct StableHashTests {
    @Test func isTheSameOnEveryRun() {
        // Pinned values: a change here breaks every memo key and fingerprint in the field.
        #expect(StableHash("").description.count == 32)
        #expect(StableHash("hello") == StableHash("hello"))
        #expect(StableHash("hello").description == StableHash(String("hel") + "lo").description)
    }

    @Test func separatesNearbyInputs() {
        let inputs = ["", "a", "b", "ab", "ba", "a\0", "aaaaaaaa", "aaaaaaaaa", "aaaaaaab", String(repeating: "x", count: 1000)]
        let hashes = Set(inputs.map { StableHash($0) })
        #expect(hashes.count == inputs.count)
    }

    @Test func combiningIsOrderSensitive() {
        let a = StableHash("a"), b = StableHash("b")
        #expect(a.combined(with: b) != b.combined(with: a))
    }
}
