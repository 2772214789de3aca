import HTTPTypes
import Testing

@testable import CondenserCore
@testable import CondenserServer

@Suite struct AnthropicErrorTests {
    @Test func theBodyIsAnthropicsShape() throws {
        let error = AnthropicError(status: .badRequest, message: "messages[0].content: \"bad\"")
        #expect(
            String(decoding: error.body, as: UTF8.self)
                == #"{"type":"error","error":{"type":"invalid_request_error","message":"messages[0].content: \"bad\""}}"#)
        #expect(error.response.status == .badRequest)
        #expect(error.response.headers[.contentType] == "application/json")
    }

    @Test func statusesMapToAnthropicsErrorTypes() {
        let expected: [(Int, String)] = [
            (400, "invalid_request_error"), (401, "authentication_error"), (403, "permission_error"), (404, "not_found_error"),
            (408, "invalid_request_error"), (413, "request_too_large"), (429, "rate_limit_error"), (500, "api_error"),
            (502, "api_error"), (503, "overloaded_error"), (504, "api_error"), (529, "overloaded_error"),
        ]
        for (code, type) in expected {
            #expect(AnthropicError.type(for: HTTPResponse.Status(code: code)) == type, "\(code)")
        }
    }

    @Test func condensersOwnErrorsKeepTheirStatusAndMessage() throws {
        let tooLarge = AnthropicError(OpenAIError.bodyTooLarge(limit: 10))
        #expect(tooLarge.status == .contentTooLarge && tooLarge.type == "request_too_large")
        #expect(tooLarge.message.contains("limits.max_body_bytes"))
        let invalid = AnthropicError(FrontRequestError("Missing required parameter: 'model'.", param: "model"))
        #expect(invalid.status == .badRequest && invalid.type == "invalid_request_error" && invalid.message.contains("'model'"))
        let upstream = try #require(UpstreamURL(validating: "http://127.0.0.1:9"))
        let unreachable = AnthropicError.upstreamUnreachable(upstream, reason: "connection refused")
        #expect(unreachable.status == .badGateway && unreachable.type == "api_error" && unreachable.message.contains("127.0.0.1:9"))
    }
}
