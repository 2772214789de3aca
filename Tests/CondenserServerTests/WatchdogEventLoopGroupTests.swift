import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import CondenserServer
@testable import SystemdKit

@Suite struct WatchdogEventLoopGroupTests {
    @Test func stopsPingingWhileAnEventLoopIsBlocked() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pings = Atomic<Int>(0)
        let watchdog = Watchdog(interval: .milliseconds(200), eventLoopGroup: group, ping: { pings.add(1, ordering: .relaxed) })
        let task = Task { await watchdog.run() }

        // Healthy loops: pings flow.
        let deadline = ContinuousClock.now + .seconds(20)
        while pings.load(ordering: .relaxed) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(pings.load(ordering: .relaxed) >= 2)

        // Block one loop, as a busy handler would: no ping gets through while it is stuck.
        var loops = group.makeIterator()
        let first = loops.next()
        let blocked = try #require(first)
        let unblock = Atomic<Bool>(false)
        blocked.execute { while !unblock.load(ordering: .relaxed) { usleep(1_000) } }
        // Whatever happens below, the loop must not stay blocked for the rest of the run.
        defer { unblock.store(true, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(300)) // let a ping already under way land
        let before = pings.load(ordering: .relaxed)
        try await Task.sleep(for: .seconds(1))
        #expect(pings.load(ordering: .relaxed) == before)

        unblock.store(true, ordering: .relaxed)
        let recovery = ContinuousClock.now + .seconds(20)
        while pings.load(ordering: .relaxed) <= before, ContinuousClock.now < recovery { try await Task.sleep(for: .milliseconds(10)) }
        #expect(pings.load(ordering: .relaxed) > before)
        task.cancel()
        await task.value
        try await group.shutdownGracefully()
    }
}
