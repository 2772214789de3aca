import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// On a listening channel: when `accept` fails for want of descriptors or memory
/// (EMFILE, ENFILE, ENOBUFS, ENOMEM), stops accepting for `backoff`, then tries again,
/// and logs the first failure at error and the recovery at notice.
///
/// NIO's own `AcceptBackoffHandler` can't stop the spin: the failed accept leaves the
/// channel's read pending, so the listening socket stays registered and, with the
/// connection still queued, epoll wakes the loop again at once. Turning `autoRead` off
/// unregisters it; turning it back on registers it again. The error goes no further, so
/// it never reaches the server's inbound stream, where it would end the listener.
final class AcceptPressureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    static let pressureErrors: Set<CInt> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]

    private let backoff: TimeAmount
    private let logger: Logger
    private var failingSince: NIODeadline?
    private var failures = 0
    private var resume: Scheduled<Void>?

    init(backoff: TimeAmount = .milliseconds(500), logger: Logger) {
        self.backoff = backoff
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let ioError = error as? IOError, Self.pressureErrors.contains(ioError.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        failures += 1
        if failingSince == nil {
            failingSince = .now()
            logger.error(
                "Cannot accept connections: out of descriptors or memory; retrying every \(backoff.nanoseconds / 1_000_000) ms",
                metadata: ["listen": "\(context.channel.localAddress?.condenserDescription ?? "?")", "error": "\(ioError)"])
        }
        pause(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let since = failingSince {
            let seconds = Double((NIODeadline.now() - since).nanoseconds) / 1e9
            logger.notice(
                "Accepting connections again",
                metadata: [
                    "listen": "\(context.channel.localAddress?.condenserDescription ?? "?")",
                    "failed.seconds": "\(Int(seconds.rounded()))", "failed.accepts": "\(failures)",
                ])
            failingSince = nil
            failures = 0
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
    }

    private func pause(context: ChannelHandlerContext) {
        guard resume == nil, let options = context.channel.syncOptions,
            let autoRead = try? options.getOption(.autoRead)
        else { return }
        do {
            if !autoRead {
                // Read pending without autoRead: switching it on then off is the only public
                // way to unregister the socket; the read stays pending for `resume`.
                try options.setOption(.autoRead, value: true)
            }
            try options.setOption(.autoRead, value: false)
        } catch {
            return
        }
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: backoff) {
            self.resume = nil
            guard context.channel.isActive else { return }
            if autoRead {
                try? options.setOption(.autoRead, value: true)
            } else {
                context.read()
            }
        }
    }
}
