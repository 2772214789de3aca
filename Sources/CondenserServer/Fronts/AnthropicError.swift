import CondenserCore
import HTTPTypes
import Hummingbird
import NIOCore

/// An error Condenser answers itself on an Anthropic route, in Anthropic's shape:
/// `{"type":"error","error":{"type":...,"message":...}}`, the type following from the
/// status as Anthropic's own errors do, so the Anthropic SDKs raise their usual classes.
struct AnthropicError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var message: String
    /// Anthropic's error type: `invalid_request_error`, `request_too_large`, `api_error`…
    var type: String

    init(status: HTTPResponse.Status, message: String, type: String? = nil) {
        self.status = status
        self.message = message
        self.type = type ?? Self.type(for: status)
    }

    /// A 400 for a Messages body that failed validation; the message already names the path.
    init(_ error: FrontRequestError) {
        self.init(status: .badRequest, message: error.message)
    }

    /// The same answer as one of Condenser's OpenAI-shaped errors (limits, upstream
    /// failures, refusals), with its status and message, in Anthropic's shape.
    init(_ error: OpenAIError) {
        self.init(status: error.status, message: error.message)
    }

    /// The error type Anthropic gives a status.
    static func type(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 402: return "billing_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 503, 529: return "overloaded_error"
        case 500..<600: return "api_error"
        default: return "invalid_request_error"
        }
    }

    /// The JSON body.
    var body: [UInt8] {
        let error: JSONObject = ["type": .string(type), "message": .string(message)]
        return JSONValue.object(["type": .string("error"), "error": .object(error)]).serializedBytes()
    }

    var response: Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    static func bodyTooLarge(limit: Int) -> AnthropicError {
        AnthropicError(OpenAIError.bodyTooLarge(limit: limit))
    }

    static func badRequest(_ message: String) -> AnthropicError {
        AnthropicError(status: .badRequest, message: message)
    }

    static func upstreamUnreachable(_ upstream: UpstreamURL, reason: String) -> AnthropicError {
        AnthropicError(OpenAIError.upstreamUnreachable(upstream, reason: reason))
    }

    static func upstreamTimeout(_ upstream: UpstreamURL, reason: String) -> AnthropicError {
        AnthropicError(OpenAIError.upstreamTimeout(upstream, reason: reason))
    }
}
