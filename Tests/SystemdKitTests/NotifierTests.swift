import Foundation
import Testing

@testable import SystemdKit

#if canImport(Glibc)
import Glibc
#endif

/// `sd_notify` reads `NOTIFY_SOCKET` from the environment, which tests share; what the
/// notifier sends is checked in a child process, by `ServeCommandTests`.
@Suite struct NotifierTests {
    @Test func withoutNotifySocketNothingIsSent() {
        // No socket to write to: every call returns without effect or failure.
        guard ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] == nil else { return }
        let notifier = Notifier()
        notifier.ready(status: "test")
        notifier.status("test")
        notifier.stopping()
        notifier.reloading()
        notifier.watchdog()
        #expect(notifier.watchdogInterval == nil || ProcessInfo.processInfo.environment["WATCHDOG_USEC"] != nil)
    }
}
