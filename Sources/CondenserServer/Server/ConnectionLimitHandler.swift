import Logging
import NIOCore
import Synchronization

/// Admits accepted client connections while fewer than `limits.max_connections` are
/// open, and closes the others at once.
///
/// Refused connections are closed rather than answered with a 503: the cap exists for
/// floods, where a refusal must cost nothing (no parser, no timers, no write to a client
/// that may not read), and a 503 sent before the request is read is often lost anyway,
/// as closing with the request unread resets the connection.
final class ConnectionAdmission: Sendable {
    let connections: ConnectionTracker
    private let limit: @Sendable () -> Int
    private let logger: Logger
    private let onRefused: @Sendable () -> Void
    /// Refusals since the cap was last reached; nil while under it.
    private let episode = Mutex<Int?>(nil)

    /// - Parameters:
    ///   - limit: read at each accept, so a reload applies to the next connection.
    ///   - onRefused: called once per refused connection (the metric).
    init(
        connections: ConnectionTracker, limit: @escaping @Sendable () -> Int, logger: Logger,
        onRefused: @escaping @Sendable () -> Void = {}
    ) {
        self.connections = connections
        self.limit = limit
        self.logger = logger
        self.onRefused = onRefused
    }

    /// Tracks `channel` and returns true, or returns false when the cap is reached.
    func admit(_ channel: any Channel) -> Bool {
        let limit = self.limit()
        if connections.admit(channel, limit: limit) {
            // A tenth below the cap ends an episode, so a count hovering at it logs once.
            if connections.count < limit - limit / 10, let refused = episode.withLock({ $0.take() }) {
                logger.notice("Accepting connections again", metadata: ["refused": "\(refused)", "limits.max_connections": "\(limit)"])
            }
            return true
        }
        onRefused()
        let first = episode.withLock { refused in
            refused = (refused ?? 0) + 1
            return refused == 1
        }
        if first {
            logger.warning(
                "Client connection limit reached: closing new connections until some end",
                metadata: ["limits.max_connections": "\(limit)"])
        }
        return false
    }
}

/// On a listening channel, before NIO's accept handling: passes on the connections
/// `ConnectionAdmission` admits and closes the rest before anything is set up for them.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let admission: ConnectionAdmission

    init(admission: ConnectionAdmission) {
        self.admission = admission
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        guard admission.admit(child) else {
            child.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
