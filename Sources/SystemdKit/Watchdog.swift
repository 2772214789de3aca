import CSystemd

/// Feeds systemd's service watchdog (`WatchdogSec=`) while the process is healthy.
///
/// Every half interval it runs a liveness probe, typically a no-op scheduled on each
/// event loop, and sends `WATCHDOG=1` only when the probe finishes within a quarter
/// interval. A stalled loop therefore stops the pings, and systemd restarts the
/// service instead of leaving it hung.
package struct Watchdog: Sendable {
    /// The time within which systemd expects a ping.
    package let interval: Duration
    private let probe: @Sendable () async throws -> Void
    private let ping: @Sendable () -> Void

    /// A watchdog with an explicit interval and ping, for tests and custom senders.
    package init(
        interval: Duration,
        probe: @escaping @Sendable () async throws -> Void,
        ping: @escaping @Sendable () -> Void = Watchdog.notifySystemd
    ) {
        self.interval = interval
        self.probe = probe
        self.ping = ping
    }

    /// A watchdog for the interval systemd asked for, or nil when the watchdog is not
    /// enabled for this process.
    package init?(probe: @escaping @Sendable () async throws -> Void) {
        guard let interval = Self.enabledInterval() else { return nil }
        self.init(interval: interval, probe: probe)
    }

    /// The interval from `WATCHDOG_USEC`, when `WATCHDOG_PID` is unset or names this
    /// process (`sd_watchdog_enabled`); nil when the watchdog is off.
    package static func enabledInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// Sends `WATCHDOG=1` to the socket in `NOTIFY_SOCKET`.
    @Sendable package static func notifySystemd() {
        _ = sd_notify(0, "WATCHDOG=1")
    }

    /// Probes and pings until the task is cancelled.
    package func run() async {
        let period = interval / 2
        let deadline = interval / 4
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let start = clock.now
            if await probeFinishes(within: deadline) {
                ping()
            }
            do {
                try await clock.sleep(until: start + period)
            } catch {
                return
            }
        }
    }

    /// Whether one probe succeeds before `deadline`. A probe that never returns keeps
    /// this waiting, which is right: no pings while the process is stuck.
    func probeFinishes(within deadline: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await probe()
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
