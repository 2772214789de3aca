import AsyncHTTPClient
@testable import CondenserCore
@testable import CondenserServer
import Foundation
import NIOHTTP1
import Testing

/// `POST /v1/responses` through the proxy to a loopback upstream: compressed, sent to the
/// OpenAI upstream with the configured key as a bearer token, Condenser's own errors in
/// OpenAI's shape, billed usage read from Responses answers and streams; the other
/// `/v1/responses/...` routes passed through.
@Suite struct ResponsesRouteTests {
    static let body = #"{"model":"gpt-5","instructions":"Be terse.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}],"store":false}"#
    static let shouted = #"{"model":"gpt-5","instructions":"Be terse.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"HELLO"}]}],"store":false}"#

    static func run<T: Sendable>(
        key: String? = nil, compressor: any ChatCompressor = ShoutingCompressor(), recorders: [any SavingsRecorder] = [],
        _ body: @Sendable (ProxyHarness) async throws -> T
    ) async throws -> T {
        try await ProxyHarness.run(
            configure: { configuration in configuration.upstreamKey = key.map { UpstreamKey(value: $0, source: "test") } },
            compressor: compressor, recorders: recorders, body)
    }

    @Test func responsesAreCompressedAndSentToTheOpenAIUpstreamWithTheConfiguredKey() async throws {
        try await Self.run(key: "sk-configured") { proxy in
            let answer = try await proxy.send(.POST, "/v1/responses", body: Self.body.bytes, headers: [("content-type", "application/json")])
            #expect(answer.status == 200)
            let received = try #require(proxy.upstream.received.last)
            #expect(received.path == "/v1/responses")
            #expect(received.body.text == Self.shouted)
            #expect(received.headers[values: .authorization] == ["Bearer sk-configured"])
            #expect(answer.headers["X-Condenser-Tokens-Saved"] == ["3"])
            #expect(answer.headers["X-Condenser-Token-Count"].isEmpty)

            _ = try await proxy.send(.POST, "/v1/responses", body: Self.body.bytes, headers: [("Authorization", "Bearer sk-own")])
            #expect(proxy.upstream.received.last?.headers[values: .authorization] == ["Bearer sk-own"])
        }
    }

    @Test func aBadBodyIsAnOpenAIShaped400NamingTheParam() async throws {
        try await Self.run { proxy in
            for (body, param) in [(#"{"model":"gpt-5","input":42}"#, "input"), (#"{"input":"hi"}"#, "model"),
                                  (#"{"model":"gpt-5","input":[{"type":"function_call_output","output":"x"}]}"#, "input[0].call_id")] {
                let answer = try await proxy.send(.POST, "/v1/responses", body: body.bytes)
                #expect(answer.status == 400)
                let error = try #require(try JSONParser.parse(bytes: answer.body).objectValue?["error"]?.objectValue)
                #expect(error["type"]?.stringValue == "invalid_request_error")
                #expect(error["param"]?.stringValue == param)
                #expect(error["message"]?.stringValue?.contains(param) == true)
            }
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func billedUsageIsReadFromAResponsesAnswerAndStream() async throws {
        let recorder = RecordingRecorder()
        try await Self.run(recorders: [recorder]) { proxy in
            _ = try await proxy.send(.POST, "/v1/responses", body: Self.body.bytes, headers: [("X-Test-Behavior", "responses-json")])
            _ = try await proxy.send(.POST, "/v1/responses", body: Self.body.bytes, headers: [("X-Test-Behavior", "responses-sse")])
            let records = await recorder.waitForRecords(2)
            #expect(records.count == 2)
            #expect(records.allSatisfy { $0.endpoint == "/v1/responses" && $0.tokenCount == .exact })
            #expect(records.map(\.billed) == [
                BilledUsage(inputTokens: 3100, cacheReadTokens: 2048, cacheWriteTokens: nil),
                BilledUsage(inputTokens: 5000, cacheReadTokens: 4096, cacheWriteTokens: nil),
            ])
        }
    }

    @Test func theOtherResponsesRoutesPassThrough() async throws {
        try await Self.run { proxy in
            let cancel = #"{"note":"hello"}"#
            for (method, path) in [(HTTPMethod.GET, "/v1/responses/resp_1"), (.POST, "/v1/responses/resp_1/cancel"),
                                   (.GET, "/v1/responses/resp_1/input_items?limit=5"), (.DELETE, "/v1/responses/resp_1")] {
                let answer = try await proxy.send(method, path, body: method == .POST ? cancel.bytes : nil)
                #expect(answer.status == 200)
                let received = try #require(proxy.upstream.received.last)
                #expect(received.method == method.rawValue)
                #expect(received.path == path)
                if method == .POST { #expect(received.body.text == cancel) }
                #expect(answer.headers["X-Condenser-Tokens-Saved"].isEmpty)
            }
        }
    }

    @Test func aWebSocketUpgradeIsRefusedWith426AndAnOpenAIShapedError() async throws {
        try await Self.run { proxy in
            for path in ["/v1/responses", "/v1/models"] {
                let response = await RawHTTP.exchange(
                    port: proxy.port,
                    "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(proxy.port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer sk-own\r\n\r\n")
                #expect(RawHTTP.status(of: response) == 426)
                let body = try #require(response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) })
                let error = try #require(try JSONParser.parse(bytes: Array(body.utf8)).objectValue?["error"]?.objectValue)
                #expect(error["message"]?.stringValue == OpenAIResponsesFront.webSocketRefusal.message)
                #expect(error["type"]?.stringValue == "invalid_request_error")
                #expect(error["code"]?.stringValue == "websocket_not_supported")
            }
            #expect(proxy.upstream.received.isEmpty)
        }
    }
}
