import Foundation
import Glibc
import Synchronization
import Testing

@testable import SystemdKit

/// A probe that hangs, like a blocked event loop, until opened; cancellation does not
/// free it, just as it does not free a NIO future.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}

/// Waits until `condition` holds, for at most `limit`: a busy machine, with the
/// cooperative pool shared by every test, may be slow.
func eventually(within limit: Duration = .seconds(20), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}

@Suite struct WatchdogTests {
    @Test func pingsEveryHalfIntervalWhileTheProbeAnswers() async throws {
        let pings = Atomic<Int>(0)
        let watchdog = Watchdog(interval: .milliseconds(200), probe: {}, ping: { pings.add(1, ordering: .relaxed) })
        let task = Task { await watchdog.run() }
        // One ping per 100 ms: four take 300 ms on an idle machine.
        #expect(try await eventually { pings.load(ordering: .relaxed) >= 4 })
        task.cancel()
        await task.value
    }

    @Test func stopsPingingWhileTheProbeHangsAndResumesAfter() async throws {
        let pings = Atomic<Int>(0)
        let gate = Gate()
        let watchdog = Watchdog(interval: .milliseconds(200), probe: { await gate.wait() }, ping: { pings.add(1, ordering: .relaxed) })
        let task = Task { await watchdog.run() }
        try await Task.sleep(for: .milliseconds(500))
        #expect(pings.load(ordering: .relaxed) == 0)
        gate.open()
        #expect(try await eventually { pings.load(ordering: .relaxed) >= 2 })
        task.cancel()
        await task.value
    }

    @Test func aSlowOrFailingProbeSendsNothing() async throws {
        let pings = Atomic<Int>(0)
        struct Failure: Error {}
        for probe: @Sendable () async throws -> Void in [{ throw Failure() }, { try await Task.sleep(for: .seconds(5)) }] {
            let watchdog = Watchdog(interval: .milliseconds(40), probe: probe, ping: { pings.add(1, ordering: .relaxed) })
            let task = Task { await watchdog.run() }
            try await Task.sleep(for: .milliseconds(150))
            task.cancel()
            await task.value
        }
        #expect(pings.load(ordering: .relaxed) == 0)
    }

    /// The real path: `sd_watchdog_enabled` reads the environment and `sd_notify` sends
    /// `WATCHDOG=1` to the datagram socket named in `NOTIFY_SOCKET`.
    @Test func notifiesTheSocketSystemdNames() async throws {
        let path = NSTemporaryDirectory() + "condenser-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
            unsetenv("NOTIFY_SOCKET")
            unsetenv("WATCHDOG_USEC")
            unsetenv("WATCHDOG_PID")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)

        setenv("NOTIFY_SOCKET", path, 1)
        setenv("WATCHDOG_USEC", "2000000", 1)
        setenv("WATCHDOG_PID", String(getpid() + 1), 1)
        #expect(Watchdog.enabledInterval() == nil, "another process's watchdog")
        setenv("WATCHDOG_PID", String(getpid()), 1)
        #expect(Watchdog.enabledInterval() == .seconds(2))

        let enabled = Watchdog(probe: {})
        let watchdog = try #require(enabled)
        let task = Task { await watchdog.run() }
        defer { task.cancel() }
        // Other datagrams may arrive (a process started meanwhile inherits NOTIFY_SOCKET);
        // wait for ours without blocking a thread of the shared pool.
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        let arrived = try await eventually {
            let received = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if received > 0 { messages.append(String(decoding: buffer[..<received], as: UTF8.self)) }
            return messages.contains("WATCHDOG=1")
        }
        #expect(arrived, "received \(messages)")
    }

    @Test func offWithoutSystemd() {
        // WATCHDOG_USEC is never set for the test process itself.
        if ProcessInfo.processInfo.environment["WATCHDOG_USEC"] == nil {
            let watchdog = Watchdog(probe: {})
            #expect(watchdog == nil)
        }
    }
}
