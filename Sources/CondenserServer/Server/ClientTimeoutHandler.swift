import Logging
import NIOCore
import NIOHTTP1

/// Bounds how long a client connection may hold the server without sending:
///
/// - a request head must be complete within `headerTimeout` of the connection's opening
///   or of the previous response's end (slow-drip headers and idle kept-alive
///   connections alike);
/// - while a request body arrives, it may not stall for longer than `bodyIdleTimeout`:
///   a stretch counts as stalled unless `minimumProgress` bytes of it arrived (a body
///   dripped a byte at a time would otherwise hold the connection for ever).
///
/// On expiry the connection closes, after a 408 in OpenAI's shape when the client had
/// started a request that has no response yet. (An idle kept-alive connection gets no
/// 408: a client that sends its next request just then would take it for the answer.)
///
/// It also ends connections that are done: after a response written before its request
/// body was read (a 413 for a body over the limit, a refusal), and after the server
/// closed its side (`Connection: close`), unread bytes are read and dropped for at most
/// `linger`, so the client gets to read the answer, then the connection closes. Without
/// that, a client still sending would hang in `send` and the descriptor stay held.
///
/// Sits after the request decoder, where a complete head is seen as one part.
final class ClientTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Limits: Sendable {
        var headerTimeout: TimeAmount
        var bodyIdleTimeout: TimeAmount
        var linger: TimeAmount = .seconds(1)
        /// Less body than this in `bodyIdleTimeout` is a stall. A body's last bytes need not
        /// reach it: the request's end stops the timer.
        var minimumProgress = 1024
    }

    private enum Timer {
        case none
        case header
        case bodyIdle
        case linger
    }

    private let limits: Limits
    private let logger: Logger
    /// Heads received whose response has not ended yet.
    private var unanswered = 0
    /// A head was received and its request's end not yet.
    private var requestOpen = false
    private var responseOpen = false
    /// The response began before its request's body had all arrived.
    private var closeAfterResponse = false
    /// Bytes came since the header timer started: a request is under way.
    private var bytesSinceHeaderTimer = false
    /// Body bytes since the body idle deadline last moved.
    private var bodyProgress = 0
    private var lingering = false
    /// The connection's last answer is written (or it is closing): nothing more goes out.
    private var finished = false
    /// The parser failed: ProtocolErrorHandler answers and closes, no timer may speak first.
    private var timersOff = false

    private var timer = Timer.none
    private var deadline = NIODeadline.distantFuture
    private var scheduled: Scheduled<Void>?

    init(limits: Limits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    // MARK: Inbound

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHeaderTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == .none, unanswered == 0 { startHeaderTimer(context: context) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if lingering || finished { return }
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            requestOpen = true
            if unanswered == 1 {
                start(.bodyIdle, after: limits.bodyIdleTimeout, context: context)
            } else {
                // A pipelined request waits for the one before it, unread; its silence is ours.
                stopTimer()
            }
        case .body(let chunk):
            bodyProgress += chunk.readableBytes
        case .end:
            requestOpen = false
            if timer == .bodyIdle { stopTimer() }
            if unanswered == 0 { startHeaderTimer(context: context) }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        switch timer {
        case .header:
            bytesSinceHeaderTimer = true
        case .bodyIdle:
            // Moved rather than rescheduled: a body arrives in many reads.
            if bodyProgress >= limits.minimumProgress {
                bodyProgress = 0
                deadline = .now() + limits.bodyIdleTimeout
            }
        case .linger:
            // The pipeline further up stopped asking for reads; dropping bytes needs them.
            context.read()
        case .none:
            break
        }
        if !lingering { context.fireChannelReadComplete() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            timersOff = true
            stopTimer()
        }
        if lingering { return }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finished = true
        stopTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !finished else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            responseOpen = true
            if requestOpen {
                closeAfterResponse = true
                head.headers.replaceOrAdd(name: "Connection", value: "close")
                if timer == .bodyIdle { stopTimer() }
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
            context.write(data, promise: promise)
        case .head, .body:
            context.write(data, promise: promise)
        case .end:
            responseOpen = false
            unanswered = max(0, unanswered - 1)
            context.write(data, promise: promise)
            if closeAfterResponse {
                shutOutputThenLinger(context: context, promise: nil)
            } else if unanswered > 0 {
                // The next, pipelined request's body may have waited unread: count its silence from now.
                if requestOpen { start(.bodyIdle, after: limits.bodyIdleTimeout, context: context) }
            } else if !requestOpen {
                startHeaderTimer(context: context)
            }
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .output {
            // Hummingbird's way to end a `Connection: close` exchange; the client may never close its side.
            shutOutputThenLinger(context: context, promise: promise)
        } else {
            context.close(mode: mode, promise: promise)
        }
    }

    // MARK: Timers

    private func startHeaderTimer(context: ChannelHandlerContext) {
        guard !finished, !lingering else { return }
        bytesSinceHeaderTimer = false
        start(.header, after: limits.headerTimeout, context: context)
    }

    private func start(_ kind: Timer, after amount: TimeAmount, context: ChannelHandlerContext) {
        stopTimer()
        guard !timersOff || kind == .linger else { return }
        bodyProgress = 0
        timer = kind
        deadline = .now() + amount
        schedule(context: context)
    }

    private func schedule(context: ChannelHandlerContext) {
        scheduled = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.fire(context: context)
        }
    }

    private func stopTimer() {
        scheduled?.cancel()
        scheduled = nil
        timer = .none
    }

    private func fire(context: ChannelHandlerContext) {
        scheduled = nil
        guard !finished else { return }
        if deadline > .now() {
            schedule(context: context)
            return
        }
        let kind = timer
        timer = .none
        switch kind {
        case .none:
            return
        case .header:
            logger.debug("Closed a client connection: no request head in time", metadata: ["timeout": "\(limits.headerTimeout)"])
            if bytesSinceHeaderTimer {
                answerTimeout(
                    context: context,
                    "The request head did not arrive within Condenser's limit of \(Self.seconds(limits.headerTimeout)) seconds (limits.client_header_timeout_seconds)."
                )
            } else {
                finished = true
                context.close(promise: nil)
            }
        case .bodyIdle:
            logger.debug("Closed a client connection: request body stalled", metadata: ["timeout": "\(limits.bodyIdleTimeout)"])
            if !responseOpen, unanswered > 0 {
                answerTimeout(
                    context: context,
                    "The request body stalled (less than \(limits.minimumProgress) bytes) for more than Condenser's limit of \(Self.seconds(limits.bodyIdleTimeout)) seconds (limits.client_body_idle_timeout_seconds)."
                )
            } else {
                finished = true
                context.close(promise: nil)
            }
        case .linger:
            finished = true
            context.close(promise: nil)
        }
    }

    private func answerTimeout(context: ChannelHandlerContext, _ message: String) {
        finished = true
        context.writeFinalResponse(
            OpenAIError(status: .requestTimeout, message: message, type: "invalid_request_error", code: "request_timeout"),
            closeWhenWritten: false)
        shutOutputThenLinger(context: context, promise: nil)
    }

    /// Shuts the output once what was written is sent (the client reads the answer, then
    /// end of stream), then lingers.
    private func shutOutputThenLinger(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let shut = context.eventLoop.makePromise(of: Void.self)
        shut.futureResult.assumeIsolated().whenComplete { result in
            promise?.completeWith(result)
            self.linger(context: context)
        }
        context.close(mode: .output, promise: shut)
    }

    /// Reads and drops what the client still sends, for at most `linger`, then closes.
    /// Closing with unread bytes would reset the connection, and a reset can destroy the
    /// answer before the client reads it.
    private func linger(context: ChannelHandlerContext) {
        guard !lingering, context.channel.isActive else { return }
        lingering = true
        start(.linger, after: limits.linger, context: context)
        context.read()
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? String(milliseconds / 1000) : String(Double(milliseconds) / 1000)
    }
}
