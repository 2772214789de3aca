import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

@testable import CondenserCore
@testable import CondenserServer

/// `POST /v1/responses` through the proxy to a loopback upstream: compressed, sent to the
/// OpenAI upstream with the configured key as a bearer token, Condenser's own errors in
/// OpenAI's shape, billed usage read from Responses answers and streams; the other
/// `/v1/responses/...` routes passed through.
@Suite struct ResponsesRouteTests {
    static let body =
        #"{"model":"gpt-5","instructions":"Be terse.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}],"store":false}"#
    static let shouted =
        #"{"model":"gpt-5","instructions":"Be terse.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"HELLO"}]}],"store":false}"#

    static func run<T: Sendable>(
        key: String? = nil, compressor: any ChatCompressor = ShoutingCompressor(), recorders: [any SavingsRecorder] = [],
        _ body: @Sendable (ProxyHarness) async throws -> T
    ) async throws -> T {
        try await ProxyHarness.run(
            configure: { configuration in configuration.upstreamKey = key.map { UpstreamKey(value: $0, source: "test") } },
            compressor: compressor, recorders: recorders, body)
    }

    /// Codex names its conversation in `prompt_cache_key`: records of one conversation
    /// share a fingerprint even when its first user text differs (a forked task).
    @Test func promptCacheKeyNamesTheConversation() throws {
        func request(_ key: String?, user: String) throws -> FrontRequest {
            var body = #"{"model":"gpt-4.1","input":[{"role":"user","content":"\#(user)"}]"#
            if let key { body += #","prompt_cache_key":"\#(key)""# }
            return try OpenAIResponsesFront.request(body: JSONParser.parse(bytes: Array((body + "}").utf8)))
        }
        #expect(
            try ProxyResponder.fingerprint(of: request("conv-1", user: "a")) == ProxyResponder.fingerprint(of: request("conv-1", user: "b"))
        )
        #expect(
            try ProxyResponder.fingerprint(of: request("conv-1", user: "a")) != ProxyResponder.fingerprint(of: request("conv-2", user: "a"))
        )
        #expect(try ProxyResponder.fingerprint(of: request(nil, user: "a")) != ProxyResponder.fingerprint(of: request(nil, user: "b")))
        #expect(try ProxyResponder.fingerprint(of: request(nil, user: "a")) == ProxyResponder.fingerprint(of: request(nil, user: "a")))
    }

    @Test func responsesAreCompressedAndSentToTheOpenAIUpstreamWithTheConfiguredKey() async throws {
        try await Self.run(key: "sk-configured") { proxy in
            let answer = try await proxy.send(
                .POST, "/v1/responses", body: Self.body.bytes, headers: [("content-type", "application/json")])
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
            for (body, param) in [
                (#"{"model":"gpt-5","input":42}"#, "input"), (#"{"input":"hi"}"#, "model"),
                (#"{"model":"gpt-5","input":[{"type":"function_call_output","output":"x"}]}"#, "input[0].call_id"),
            ] {
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
            #expect(
                records.map(\.billed) == [
                    BilledUsage(inputTokens: 3100, cacheReadTokens: 2048, cacheWriteTokens: nil),
                    BilledUsage(inputTokens: 5000, cacheReadTokens: 4096, cacheWriteTokens: nil),
                ])
        }
    }

    @Test func theOtherResponsesRoutesPassThrough() async throws {
        try await Self.run { proxy in
            let cancel = #"{"note":"hello"}"#
            for (method, path) in [
                (HTTPMethod.GET, "/v1/responses/resp_1"), (.POST, "/v1/responses/resp_1/cancel"),
                (.GET, "/v1/responses/resp_1/input_items?limit=5"), (.DELETE, "/v1/responses/resp_1"),
            ] {
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
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer sk-own\r\n\r\n"
                )
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

    // MARK: Through the real pipeline

    /// A Codex-style body whose function call output is a long, noisy build log.
    static func codexBody() -> (body: String, log: String) {
        var lines: [String] = []
        for index in 0..<300 {
            lines.append("\u{1B}[32mCompiling\u{1B}[0m module \(index % 7) (file \(index).swift)")
            lines.append("[\(String(repeating: "=", count: index % 20))>] \(index % 100)%\r[====================] 100%")
            lines.append("warning: deprecated API used here")
        }
        lines.append("error: cannot find 'tokenize' in scope")
        let log = lines.joined(separator: "\n")
        let input: [JSONValue] = [
            .object([
                "type": .string("message"), "role": .string("developer"),
                "content": .array([.object(["type": .string("input_text"), "text": .string("<permissions>workspace-write</permissions>")])]
                ),
            ]),
            .object([
                "type": .string("message"), "role": .string("user"),
                "content": .array([.object(["type": .string("input_text"), "text": .string("Build it   and  fix the error.")])]),
            ]),
            .object([
                "type": .string("reasoning"), "id": .string("rs_1"), "summary": .array([]),
                "encrypted_content": .string("gAAAAABpZ3Vlc3Mtbm90aGluZy1oZXJl=="),
            ]),
            .object([
                "type": .string("function_call"), "id": .string("fc_1"), "name": .string("shell"),
                "arguments": .string(#"{"command":["swift","build"]}"#), "call_id": .string("call_Build1"),
            ]),
            .object(["type": .string("function_call_output"), "call_id": .string("call_Build1"), "output": .string(log)]),
            .object([
                "type": .string("message"), "role": .string("user"),
                "content": .array([.object(["type": .string("input_text"), "text": .string("And   now?")])]),
            ]),
        ]
        let body: JSONValue = .object([
            "model": .string("gpt-5-codex"), "instructions": .string("You are Codex."), "input": .array(input),
            "tools": .array([]), "store": .bool(false), "stream": .bool(false), "include": .array([.string("reasoning.encrypted_content")]),
            "prompt_cache_key": .string("0199a1b2-conversation"),
        ])
        return (String(decoding: body.serializedBytes(), as: UTF8.self), log)
    }

    static func pipeline() -> ReloadableCompressor {
        var settings = PipelineSettings()
        // A debug build on a busy machine: never fail open on time in a test of what is forwarded.
        settings.timeBudgetMilliseconds = 60_000
        return ReloadableCompressor(settings: settings)
    }

    @Test func aNoisyFunctionCallOutputIsForwardedCompressedAndTheRestAsSent() async throws {
        let (body, log) = Self.codexBody()
        try await Self.run(compressor: Self.pipeline()) { proxy in
            let answer = try await proxy.send(.POST, "/v1/responses", body: body.bytes, headers: [("content-type", "application/json")])
            #expect(answer.status == 200)
            let received = try #require(proxy.upstream.received.last)
            let forwarded = try JSONParser.parse(bytes: received.body)
            let original = try OpenAIResponsesFront.request(body: try JSONParser.parse(bytes: body.bytes))
            #expect(original.maskedViolations(forwarded: forwarded).isEmpty)
            let output = try #require(forwarded[path: [.key("input"), .index(4), .key("output")]]?.stringValue)
            #expect(output.utf8.count < log.utf8.count * 9 / 10)
            #expect(output.contains("error: cannot find 'tokenize' in scope"))
            #expect(!output.contains("\u{1B}["))
            let originalInput = try #require(original.body.objectValue?["input"]?.arrayValue)
            let forwardedInput = try #require(forwarded.objectValue?["input"]?.arrayValue)
            #expect(forwardedInput[2] == originalInput[2]) // the reasoning item, encrypted_content included
            #expect(forwardedInput.map { $0.objectValue?["call_id"] } == originalInput.map { $0.objectValue?["call_id"] })
            #expect(forwardedInput[5] == originalInput[5]) // the last user message
            #expect(Int(answer.headers["X-Condenser-Tokens-Saved"].first ?? "") ?? 0 > 0)
        }
    }

    @Test func aStreamIsRelayedAsTheUpstreamSentIt() async throws {
        let (body, _) = Self.codexBody()
        let streaming = body.replacingOccurrences(of: #""stream":false"#, with: #""stream":true"#)
        try await Self.run(compressor: Self.pipeline()) { proxy in
            let answer = try await proxy.send(
                .POST, "/v1/responses", body: streaming.bytes, headers: [("X-Test-Behavior", "responses-sse")])
            #expect(answer.status == 200)
            #expect(answer.headers["Content-Type"] == ["text/event-stream"])
            #expect(answer.body.text == TestUpstream.responsesStream.joined())
        }
    }

    @Test func anUpstreamErrorComesBackByteForByte() async throws {
        let (body, _) = Self.codexBody()
        try await Self.run(compressor: Self.pipeline()) { proxy in
            let answer = try await proxy.send(.POST, "/v1/responses", body: body.bytes, headers: [("X-Test-Behavior", "status:429")])
            #expect(answer.status == 429)
            #expect(answer.body.text == TestUpstream.errorBody)
            #expect(answer.headers["X-Upstream"] == ["yes"])
        }
    }

    @Test func aStreamEndedUpstreamWithoutResponseCompletedReachesTheClientCut() async throws {
        let recorder = RecordingRecorder()
        try await Self.run(recorders: [recorder]) { proxy in
            await #expect(throws: (any Error).self) {
                _ = try await proxy.send(.POST, "/v1/responses", body: Self.body.bytes, headers: [("X-Test-Behavior", "responses-sse-cut")])
            }
            #expect(await recorder.waitForRecords(1).count == 1)
            // The whole stream, and a chat stream (no such event), end cleanly.
            let whole = try await proxy.send(.POST, "/v1/responses", body: Self.body.bytes, headers: [("X-Test-Behavior", "responses-sse")])
            #expect(whole.body.text == TestUpstream.responsesStream.joined())
            let chat = try await proxy.send(
                .POST, "/v1/chat/completions", body: Array(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#.utf8),
                headers: [("X-Test-Behavior", "sse:2:1")])
            #expect(chat.status == 200)
        }
    }
}
