import Testing

@testable import CondenserCore

@Suite struct StableHashTests {
    @Test func isSHA256TruncatedTo128Bits() {
        // Pinned values: a change here breaks every memo key and persisted ledger key in the field.
        #expect(StableHash("").description == "e3b0c44298fc1c149afbf4c8996fb924")
        #expect(StableHash("abc").description == "ba7816bf8f01cfea414140de5dae2223")
        #expect(StableHash("hello") == StableHash(String("hel") + "lo"))
    }

    @Test func combiningHashesTheTwoHashes() {
        // SHA-256 of the 16 bytes of each part, in order.
        #expect(StableHash("a").combined(with: StableHash("b")).description == "1155706da81af167c8ce66648ca8c2e5")
    }

    @Test func separatesNearbyInputs() {
        let inputs = ["", "a", "b", "ab", "ba", "a\0", "aaaaaaaa", "aaaaaaaaa", "aaaaaaab", String(repeating: "x", count: 1000)]
        let hashes = Set(inputs.map { StableHash($0) })
        #expect(hashes.count == inputs.count)
    }

    @Test func combiningIsOrderSensitive() {
        let a = StableHash("a")
        let b = StableHash("b")
        #expect(a.combined(with: b) != b.combined(with: a))
    }
}

@Suite struct StableHashBuilderTests {
    @Test func isSHA256OfTheLengthPrefixedParts() {
        var builder = StableHash.Builder()
        builder.add("ab")
        builder.add(7)
        // SHA-256 of 02 00 00 00 00 00 00 00 'a' 'b' 07 00 00 00 00 00 00 00, first 128 bits.
        #expect(builder.finalize().description == "20cde152dff13daf8d8db70dd189ffe3")
    }

    @Test func partsCannotRunIntoEachOther() {
        func hash(_ parts: [String]) -> StableHash {
            var builder = StableHash.Builder()
            for part in parts { builder.add(part) }
            return builder.finalize()
        }
        #expect(hash(["ab", "c"]) != hash(["a", "bc"]))
        #expect(hash(["abc"]) != hash(["ab", "c"]))
        #expect(hash(["", "a"]) != hash(["a", ""]))
    }

    @Test func aMissingStringDiffersFromAnyString() {
        var missing = StableHash.Builder()
        missing.addOptional(nil)
        var empty = StableHash.Builder()
        empty.addOptional("")
        #expect(missing.finalize() != empty.finalize())
    }
}
