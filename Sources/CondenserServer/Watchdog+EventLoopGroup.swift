import NIOCore
import SystemdKit

extension Watchdog {
    /// A watchdog for the interval systemd asked for, whose probe runs a no-op on every
    /// loop of `group`: one stalled event loop stops the pings. Nil when systemd did not
    /// enable the watchdog.
    package init?(eventLoopGroup group: any EventLoopGroup) {
        guard let interval = Self.enabledInterval() else { return nil }
        self.init(interval: interval, eventLoopGroup: group)
    }

    /// A watchdog probing every loop of `group`, with an explicit interval and ping.
    package init(
        interval: Duration, eventLoopGroup group: any EventLoopGroup,
        ping: @escaping @Sendable () -> Void = Watchdog.notifySystemd
    ) {
        self.init(
            interval: interval,
            probe: {
                for loop in group.makeIterator() {
                    try await loop.submit {}.get()
                }
            },
            ping: ping)
    }
}
