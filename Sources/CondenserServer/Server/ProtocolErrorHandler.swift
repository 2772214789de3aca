import Logging
import NIOCore
import NIOHTTP1

/// Answers a request NIO's HTTP/1 parser rejects (bad header bytes, an oversized head,
/// `Transfer-Encoding` with `Content-Length`, a broken chunked body) with a 400 in
/// OpenAI's shape and closes the connection. Without it, Hummingbird answers an empty
/// 400 that tells the client nothing.
///
/// Sits right after the request decoder. Responses keep the order of requests: a 400 for
/// a broken head waits until the requests before it are answered, and one for a broken
/// body never cuts into a response already under way (the connection then closes after
/// it). Once its own answer is on its way, writes from further up the pipeline are
/// refused, so Hummingbird's own 400 (or a failed request's answer) never follows it.
final class ProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let logger: Logger
    private var responseOpen = false
    /// Heads received whose response has not ended yet.
    private var unanswered = 0
    /// A head was received and its request's end not yet.
    private var requestOpen = false
    private enum Pending {
        case answer(OpenAIError)
        case closeOnly
    }
    /// What to do once the responses under way have ended.
    private var pendingAnswer: Pending?
    private var answered = false

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if answered || pendingAnswer != nil {
            // The decoder reports every later read as an error too; the first one was enough.
            if error is HTTPParserError || error is ByteToMessageDecoderError { return }
            context.fireErrorCaught(error)
            return
        }
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let answer = Self.answer(to: parserError)
        logger.debug("Refused a malformed request", metadata: ["error": "\(parserError.debugDescription)"])
        if requestOpen {
            // This request's body is broken: it is the one to answer, unless its answer began.
            if responseOpen {
                pendingAnswer = .closeOnly
            } else {
                answered = true
                context.writeFinalResponse(answer)
            }
        } else if unanswered > 0 {
            // A broken head after whole requests still being answered: its 400 comes last.
            pendingAnswer = .answer(answer)
        } else {
            answered = true
            context.writeFinalResponse(answer)
        }
        // Further up, a request body being read must fail rather than look complete.
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            requestOpen = true
        case .body:
            break
        case .end:
            requestOpen = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !answered else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.code >= 200 { responseOpen = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            responseOpen = false
            unanswered = max(0, unanswered - 1)
            guard let pending = pendingAnswer, unanswered == 0 else {
                context.write(data, promise: promise)
                return
            }
            pendingAnswer = nil
            answered = true
            switch pending {
            case .answer(let answer):
                context.write(data, promise: promise)
                context.writeFinalResponse(answer)
            case .closeOnly:
                let channel = context.channel
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.whenComplete { result in
                    promise?.completeWith(result)
                    channel.close(promise: nil)
                }
                context.writeAndFlush(data, promise: written)
            }
        }
    }

    /// The 400 for a parser error, naming what was wrong in words a client's author can act on.
    static func answer(to error: HTTPParserError) -> OpenAIError {
        let message: String
        let code: String
        switch error {
        case .headerOverflow:
            message = "The request head (request line and headers) is too large for Condenser."
            code = "request_header_too_large"
        case .invalidHeaderToken, .invalidCharactersUsed:
            message = "The request has a header with a character HTTP does not allow."
            code = "invalid_header"
        case .unexpectedContentLength:
            message = "The request has both Transfer-Encoding and Content-Length, or a Content-Length where none may be."
            code = "conflicting_content_length"
        case .invalidContentLength:
            message = "The request's Content-Length is not a valid length, or comes with Transfer-Encoding (send one or the other)."
            code = "invalid_content_length"
        case .invalidChunkSize:
            message = "The request's chunked body has an invalid chunk size."
            code = "invalid_chunked_body"
        default:
            message = "The request is not valid HTTP/1.1: \(error.debugDescription)."
            code = "invalid_http_request"
        }
        return .badRequest(message, code: code)
    }
}
