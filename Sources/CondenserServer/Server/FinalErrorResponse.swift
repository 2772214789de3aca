import NIOCore
import NIOHTTP1

extension ChannelHandlerContext {
    /// Writes `error` as a complete response with `Connection: close` to the handlers
    /// nearer the socket and, unless told not to, closes the channel once it is written
    /// (or failed to be). Only for a handler whose outbound messages are
    /// `HTTPServerResponsePart`s, and only while no other response is partly written.
    func writeFinalResponse(_ error: OpenAIError, closeWhenWritten: Bool = true) {
        let body = ByteBuffer(bytes: error.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: error.status.code), headers: headers)
        write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        let written = writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        guard closeWhenWritten else { return }
        let channel = self.channel
        written.whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
