import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Tells the service manager about the daemon's state (`sd_notify`). Every call is a
/// no-op when `NOTIFY_SOCKET` is unset, i.e. when not run by systemd with `Type=notify`.
package struct Notifier: Sendable {
    package init() {}

    /// `READY=1`: the daemon serves requests.
    package func ready(status: String? = nil) {
        send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// `STATUS=`: one line for `systemctl status`.
    package func status(_ text: String) {
        send(["STATUS=\(text)"])
    }

    /// `STOPPING=1`: shutdown has begun.
    package func stopping(status: String? = nil) {
        send(["STOPPING=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// `WATCHDOG=1`: the daemon is alive.
    func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// `RELOADING=1` with the monotonic timestamp systemd asks for, then `READY=1` once
    /// the new configuration is in place.
    package func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let micros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        send(["RELOADING=1", "MONOTONIC_USEC=\(micros)"])
    }

    /// The watchdog interval systemd expects pings within, if the watchdog is on.
    var watchdogInterval: Duration? {
        var micros: UInt64 = 0
        guard sd_watchdog_enabled(0, &micros) > 0, micros > 0 else { return nil }
        return .microseconds(Int64(micros))
    }

    private func send(_ lines: [String]) {
        // Single-line values only: a newline in a status would start a new assignment.
        let state = lines.map { $0.replacingNewlines() }.joined(separator: "\n")
        _ = sd_notify(0, state)
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
