import CondenserCore
import HTTPTypes
import Hummingbird
import NIOCore

/// An error Condenser answers itself, in OpenAI's shape:
/// `{"error":{"message":...,"type":...,"param":...,"code":...}}`.
struct OpenAIError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var message: String
    var type: String
    var param: String?
    var code: String?

    init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// A 400 for a chat body that failed validation.
    init(_ error: ChatRequestError) {
        self.init(status: .badRequest, message: error.message, type: "invalid_request_error", param: error.param, code: error.code)
    }

    /// The JSON body.
    var body: [UInt8] {
        let error: JSONObject = [
            "message": .string(message),
            "type": .string(type),
            "param": param.map(JSONValue.string) ?? .null,
            "code": code.map(JSONValue.string) ?? .null,
        ]
        return JSONValue.object(["error": .object(error)]).serializedBytes()
    }

    var response: Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(
            status: .contentTooLarge,
            message: "The request body is larger than Condenser's limit of \(limit) bytes (limits.max_body_bytes).",
            type: "invalid_request_error", code: "request_too_large"
        )
    }

    static func forbidden(_ message: String) -> OpenAIError {
        OpenAIError(status: .forbidden, message: message, type: "invalid_request_error", code: "forbidden")
    }

    static func badRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    static func upstreamUnreachable(_ upstream: UpstreamURL, reason: String) -> OpenAIError {
        OpenAIError(
            status: .badGateway,
            message:
                "Condenser could not reach the upstream \(upstream.scheme)://\(upstream.authority): \(UpstreamFailure.balanced(reason)).",
            type: "upstream_error", code: "upstream_unreachable"
        )
    }

    static func upstreamBusy(_ limit: Int, waited: Duration) -> OpenAIError {
        OpenAIError(
            status: .serviceUnavailable,
            message:
                "Condenser already has \(limit) requests open to the upstream (upstream.max_connections) and none finished within \(waited) (upstream.request_timeout_seconds); retry later or raise the limit.",
            type: "upstream_error", code: "upstream_busy"
        )
    }

    static func proxyBusy(_ limitMegabytes: Int, waited: Duration) -> OpenAIError {
        OpenAIError(
            status: .serviceUnavailable,
            message:
                "Condenser is holding \(limitMegabytes) MB of request bodies (limits.max_inflight_megabytes) and not enough was freed within \(waited); retry later or raise the limit.",
            type: "server_error", code: "proxy_busy"
        )
    }

    static func upstreamTimeout(_ upstream: UpstreamURL, reason: String) -> OpenAIError {
        OpenAIError(
            status: .gatewayTimeout,
            message: "The upstream \(upstream.scheme)://\(upstream.authority) did not answer in time: \(UpstreamFailure.balanced(reason)).",
            type: "upstream_error", code: "upstream_timeout"
        )
    }
}
