import Testing

@testable import CondenserServer

@Suite struct WaitingLimiterTests {
    @Test func sharesAreGrantedInOrderAsTheyAreGivenBack() async throws {
        let limiter = WaitingLimiter(capacity: 3)
        let first = try await limiter.acquire(2, timeout: .seconds(5))
        #expect(limiter.inUse == 2)
        // 2 more don't fit; 1 would, but it waits its turn behind the 2.
        let big = Task { try await limiter.acquire(2, timeout: .seconds(5)) }
        while limiter.waiting < 1 { await Task.yield() }
        let small = Task { try await limiter.acquire(1, timeout: .seconds(5)) }
        while limiter.waiting < 2 { await Task.yield() }
        first.release()
        let bigLease = try await big.value
        let smallLease = try await small.value
        #expect(limiter.inUse == 3)
        bigLease.release()
        smallLease.release()
        #expect(limiter.inUse == 0)
    }

    @Test func aWaitEndsAtItsTimeoutAndLeavesNothingTaken() async throws {
        let limiter = WaitingLimiter(capacity: 1)
        let held = try await limiter.acquire(1, timeout: .seconds(1))
        await #expect(throws: LimiterTimeout.self) {
            _ = try await limiter.acquire(1, timeout: .milliseconds(50))
        }
        #expect(limiter.waiting == 0)
        held.release()
        #expect(limiter.inUse == 0)
    }

    @Test func aCancelledWaitLeavesTheLine() async throws {
        let limiter = WaitingLimiter(capacity: 1)
        let held = try await limiter.acquire(1, timeout: .seconds(1))
        let waiter = Task { try await limiter.acquire(1, timeout: .seconds(30)) }
        while limiter.waiting < 1 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        #expect(limiter.waiting == 0)
        held.release()
        #expect(limiter.inUse == 0)
    }

    @Test func aShareLargerThanTheWholeRunsAloneAndADroppedLeaseGivesBack() async throws {
        let limiter = WaitingLimiter(capacity: 4)
        var lease: WaitingLimiter.Lease? = try await limiter.acquire(100, timeout: .seconds(1))
        #expect(limiter.inUse == 4)
        #expect(lease != nil)
        lease = nil
        #expect(limiter.inUse == 0)
    }
}
