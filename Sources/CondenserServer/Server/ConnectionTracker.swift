import NIOCore
import Synchronization

/// The open client connections, so shutdown can ask them to finish (quiesce) and, once
/// the grace period is over, close whatever is left. When the last one closes and none
/// opens for a moment, the allocator returns its free pages (`AllocatorTrim`).
final class ConnectionTracker: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        _ = admit(channel, limit: .max)
    }

    /// Tracks `channel` if fewer than `limit` are open, in one step so that simultaneous
    /// accepts can't overshoot; false leaves it untracked.
    func admit(_ channel: any Channel, limit: Int) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = channels.withLock { channels in
            guard channels.count < limit else { return false }
            channels[id] = channel
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            let left = channels.withLock { channels in
                channels.removeValue(forKey: id)
                return channels.count
            }
            if left == 0 { AllocatorTrim.whenIdle { [weak self] in self?.count == 0 } }
        }
        return true
    }

    var count: Int { channels.withLock { $0.count } }

    /// Idle connections close now; busy ones after their current response.
    func quiesce() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.eventLoop.execute {
                channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            }
        }
    }

    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.close(promise: nil)
        }
    }
}
