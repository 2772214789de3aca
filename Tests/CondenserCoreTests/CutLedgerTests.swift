import Testing

@testable import CondenserCore

@Suite struct CutLedgerTests {
    let keys = (0..<6).map { StableHash("prefix \($0)") }

    @Test func findsTheLongestForwardedPrefix() throws {
        let ledger = CutLedger(maximumEntries: 16)
        let start = ContinuousClock.now
        #expect(ledger.latest(keys) == nil)
        ledger.record(keys[1], boundary: 0, at: start)
        ledger.record(keys[3], boundary: 2, at: start.advanced(by: .seconds(5)))
        let found = try #require(ledger.latest(keys))
        #expect(found.messages == 4)
        #expect(found.entry == CutLedger.Entry(boundary: 2, lastForwarded: start.advanced(by: .seconds(5))))
        #expect(ledger.latest(Array(keys.prefix(3)))?.messages == 2)
    }

    @Test func theMostRecentlyForwardedPrefixSpeaksForARequest() throws {
        // A longer version of the conversation was forwarded first (keys[4]); then the
        // conversation was met again from its start and grew to keys[2]. A request for
        // keys[0...5] continues from keys[2], its own latest history.
        let ledger = CutLedger(maximumEntries: 16)
        let start = ContinuousClock.now
        ledger.record(keys[4], boundary: 9, at: start)
        ledger.record(keys[1], boundary: 0, at: start.advanced(by: .seconds(1)))
        ledger.record(keys[2], boundary: 1, at: start.advanced(by: .seconds(2)))
        let found = try #require(ledger.latest(keys))
        #expect(found.messages == 3)
        #expect(found.entry.boundary == 1)
        // Forwarded at the same instant, the longer prefix is the request's own.
        ledger.record(keys[3], boundary: 2, at: start.advanced(by: .seconds(2)))
        #expect(ledger.latest(keys)?.messages == 4)
    }

    @Test func staysWithinItsBoundDroppingTheLeastRecentlyForwarded() {
        let ledger = CutLedger(maximumEntries: 8)
        let start = ContinuousClock.now
        for index in 0..<40 {
            ledger.record(StableHash("conversation \(index)"), boundary: index, at: start.advanced(by: .seconds(index)))
            #expect(ledger.count <= 8)
        }
        #expect(ledger.latest([StableHash("conversation 39")])?.entry.boundary == 39)
        #expect(ledger.latest([StableHash("conversation 0")]) == nil)
    }
}
