import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

@testable import CondenserCore
@testable import CondenserServer

/// `POST /v1/messages` through the proxy to a loopback upstream: the
/// query and every header as sent, the configured key only for a client without one,
/// Condenser's own errors in Anthropic's shape, upstream errors byte for byte.
@Suite struct AnthropicRouteTests {
    static let body =
        #"{"model":"claude-x","max_tokens":64,"system":"Be terse.","messages":[{"role":"user","content":[{"type":"text","text":"hello","cache_control":{"type":"ephemeral"}}]}]}"#
    static let shouted =
        #"{"model":"claude-x","max_tokens":64,"system":"Be terse.","messages":[{"role":"user","content":[{"type":"text","text":"HELLO","cache_control":{"type":"ephemeral"}}]}]}"#

    /// A proxy whose Anthropic upstream is the test upstream under `/anthropic`, so the
    /// received path tells which upstream a request went to.
    static func run<T: Sendable>(
        key: String? = nil, compressor: any ChatCompressor = ShoutingCompressor(), maxBodyBytes: Int? = nil,
        _ body: @Sendable (ProxyHarness) async throws -> T
    ) async throws -> T {
        try await ProxyHarness.run(
            configure: { configuration in
                let port = configuration.upstream.authority.split(separator: ":").last.map(String.init) ?? ""
                configuration.anthropicUpstream = UpstreamURL(validating: "http://127.0.0.1:\(port)/anthropic")!
                configuration.anthropicKey = key.map { UpstreamKey(value: $0, source: "test") }
                if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
            }, compressor: compressor, body)
    }

    @Test func messagesAreCompressedAndForwardedWithTheQueryAndEveryHeader() async throws {
        try await Self.run { proxy in
            let answer = try await proxy.send(
                .POST, "/v1/messages?beta=true", body: Self.body.bytes,
                headers: [
                    ("anthropic-version", "2023-06-01"), ("anthropic-beta", "interleaved-thinking-2025-05-14,context-1m"),
                    ("x-api-key", "sk-ant-client"), ("content-type", "application/json"),
                ])
            #expect(answer.status == 200)
            let received = try #require(proxy.upstream.received.last)
            #expect(received.path == "/anthropic/v1/messages?beta=true")
            #expect(received.body.text == Self.shouted)
            #expect(received.headers[values: .init("anthropic-version")!] == ["2023-06-01"])
            #expect(received.headers[values: .init("anthropic-beta")!] == ["interleaved-thinking-2025-05-14,context-1m"])
            #expect(received.headers[values: .init("x-api-key")!] == ["sk-ant-client"])
            #expect(answer.headers["X-Condenser-Token-Count"] == ["estimated"])
            #expect(answer.headers["X-Condenser-Tokens-Saved"] == ["3"])
        }
    }

    @Test func recordsSayTheirCountsAreEstimated() async throws {
        let recorder = RecordingRecorder()
        try await ProxyHarness.run(
            configure: { configuration in
                let port = configuration.upstream.authority.split(separator: ":").last.map(String.init) ?? ""
                configuration.anthropicUpstream = UpstreamURL(validating: "http://127.0.0.1:\(port)")!
            }, compressor: ShoutingCompressor(), recorders: [recorder]
        ) { proxy in
            _ = try await proxy.send(.POST, "/v1/messages", body: Self.body.bytes)
            _ = try await proxy.send(
                .POST, "/v1/chat/completions", body: Array(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#.utf8))
            let records = await recorder.waitForRecords(2)
            let messages = try #require(records.first { $0.endpoint == "/v1/messages" })
            let chat = try #require(records.first { $0.endpoint == "/v1/chat/completions" })
            #expect(messages.tokenCount == .estimated)
            #expect(messages.journalFields.contains { $0.name == "CONDENSER_COUNT" && $0.value == "estimated" })
            #expect(chat.tokenCount == .exact)
            #expect(!chat.journalFields.contains { $0.name == "CONDENSER_COUNT" })
        }
    }

    @Test func theConfiguredKeyGoesOnlyToAClientWithoutOne() async throws {
        try await Self.run(key: "sk-ant-configured") { proxy in
            _ = try await proxy.send(.POST, "/v1/messages", body: Self.body.bytes, headers: [("anthropic-version", "2023-06-01")])
            let keyless = try #require(proxy.upstream.received.last)
            #expect(keyless.headers[values: .init("x-api-key")!] == ["sk-ant-configured"])
            #expect(keyless.headers[values: .authorization].isEmpty)

            _ = try await proxy.send(.POST, "/v1/messages", body: Self.body.bytes, headers: [("x-api-key", "sk-ant-own")])
            #expect(proxy.upstream.received.last?.headers[values: .init("x-api-key")!] == ["sk-ant-own"])

            _ = try await proxy.send(.POST, "/v1/messages", body: Self.body.bytes, headers: [("Authorization", "Bearer oauth-token")])
            let bearer = try #require(proxy.upstream.received.last)
            #expect(bearer.headers[values: .init("x-api-key")!].isEmpty)
            #expect(bearer.headers[values: .authorization] == ["Bearer oauth-token"])
        }
    }

    @Test func condensersOwnErrorsAreAnthropicShaped() async throws {
        try await Self.run(maxBodyBytes: 400) { proxy in
            let invalid = try await proxy.send(.POST, "/v1/messages", body: Array(#"{"model":"claude-x"}"#.utf8))
            #expect(invalid.status == 400)
            let error = try #require(try JSONParser.parse(bytes: invalid.body).objectValue)
            #expect(error["type"]?.stringValue == "error")
            #expect(error["error"]?.objectValue?["type"]?.stringValue == "invalid_request_error")
            #expect(error["error"]?.objectValue?["message"]?.stringValue?.contains("messages") == true)

            let large = try await proxy.send(.POST, "/v1/messages", body: Array(repeating: UInt8(ascii: " "), count: 1000))
            #expect(large.status == 413)
            let tooLarge = try #require(try JSONParser.parse(bytes: large.body).objectValue)
            #expect(tooLarge["error"]?.objectValue?["type"]?.stringValue == "request_too_large")
            #expect(proxy.upstream.received.isEmpty)

            // The chat route keeps OpenAI's shape.
            let chat = try await proxy.send(.POST, "/v1/chat/completions", body: Array(#"{"model":"m"}"#.utf8))
            #expect(chat.status == 400)
            #expect(try JSONParser.parse(bytes: chat.body).objectValue?["error"]?.objectValue?["param"]?.stringValue == "messages")
        }
    }

    @Test func anUnreachableUpstreamIsAnAnthropicShaped502() async throws {
        let port = try freePort()
        try await ProxyHarness.run(configure: { configuration in
            configuration.anthropicUpstream = UpstreamURL(validating: "http://127.0.0.1:\(port)")!
        }) { proxy in
            for (method, path) in [(HTTPMethod.POST, "/v1/messages"), (.GET, "/v1/models")] {
                let answer = try await proxy.send(
                    method, path, body: method == .POST ? Self.body.bytes : nil, headers: [("anthropic-version", "2023-06-01")])
                #expect(answer.status == 502)
                let error = try #require(try JSONParser.parse(bytes: answer.body).objectValue)
                #expect(error["type"]?.stringValue == "error")
                #expect(error["error"]?.objectValue?["type"]?.stringValue == "api_error")
                #expect(error["error"]?.objectValue?["message"]?.stringValue?.contains("127.0.0.1:\(port)") == true)
            }
        }
    }

    @Test func aMissingClientTokenIsAnAnthropicShaped401() async throws {
        try await ProxyHarness.run(configure: { configuration in
            configuration.clientToken = ClientToken(value: "condenser-token", source: "test")
        }) { proxy in
            let answer = try await proxy.send(.POST, "/v1/messages", body: Self.body.bytes)
            #expect(answer.status == 401)
            let error = try #require(try JSONParser.parse(bytes: answer.body).objectValue)
            #expect(error["error"]?.objectValue?["type"]?.stringValue == "authentication_error")
            let chat = try await proxy.send(.POST, "/v1/chat/completions", body: Self.body.bytes)
            #expect(chat.status == 401)
            #expect(try JSONParser.parse(bytes: chat.body).objectValue?["error"]?.objectValue?["code"]?.stringValue == "invalid_api_key")
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func upstreamErrorsComeBackByteForByte() async throws {
        try await Self.run { proxy in
            let answer = try await proxy.send(.POST, "/v1/messages", body: Self.body.bytes, headers: [("X-Test-Behavior", "status:529")])
            #expect(answer.status == 529)
            #expect(answer.body.text == TestUpstream.errorBody)
        }
    }

    @Test func passThroughGoesToTheUpstreamOfTheClientsFront() async throws {
        try await Self.run { proxy in
            _ = try await proxy.send(.GET, "/v1/models", headers: [("anthropic-version", "2023-06-01")])
            #expect(proxy.upstream.received.last?.path == "/anthropic/v1/models")
            _ = try await proxy.send(.GET, "/v1/models")
            #expect(proxy.upstream.received.last?.path == "/v1/models")
            let head = try await proxy.send(.HEAD, "/")
            #expect(head.status == 200)
            #expect(proxy.upstream.received.last?.method == "HEAD")
            #expect(proxy.upstream.received.last?.path == "/anthropic/")
        }
    }
}
