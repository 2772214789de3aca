import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import Testing

@testable import CondenserCore
@testable import CondenserServer

@Suite struct ProxyResponderTests {
    /// Odd number spellings, unknown fields and a member order no serializer would pick.
    static let oddBody =
        #"{"top_k":40,"model":"m","messages":[{"content":"hi  there","role":"user","cache_control":{"type":"ephemeral"}}],"temperature":1.0,"repetition_penalty":1e-9,"logit_bias":{"50256":-100},"n":12345678901234567890,"stream":false}"#

    @Test func chatBodyReachesUpstreamByteForByte() async throws {
        try await ProxyHarness.run { proxy in
            let answer = try await proxy.send(body: Self.oddBody.bytes, headers: [("Content-Type", "application/json")])
            #expect(answer.status == 200)
            #expect(answer.body == Self.oddBody.bytes)
            let received = try #require(proxy.upstream.received.last)
            #expect(received.body == Self.oddBody.bytes)
            #expect(received.path == "/v1/chat/completions")
            #expect(received.method == "POST")
        }
    }

    @Test func otherPathsPassThroughWithQueryAndMethod() async throws {
        try await ProxyHarness.run { proxy in
            let models = try await proxy.send(.GET, "/v1/models?limit=2&after=x%20y")
            #expect(models.status == 200)
            let embeddings = try await proxy.send(.POST, "/v1/embeddings", body: #"{"input":"x","model":"e"}"#.bytes)
            #expect(embeddings.body == #"{"input":"x","model":"e"}"#.bytes)
            let deleted = try await proxy.send(.DELETE, "/v1/files/file-1")
            #expect(deleted.status == 200)
            let paths = proxy.upstream.received.map { "\($0.method) \($0.path)" }
            #expect(paths == ["GET /v1/models?limit=2&after=x%20y", "POST /v1/embeddings", "DELETE /v1/files/file-1"])
        }
    }

    @Test func upstreamErrorsReachTheClientUnchanged() async throws {
        try await ProxyHarness.run { proxy in
            let answer = try await proxy.send(body: Self.oddBody.bytes, headers: [("X-Test-Behavior", "status:429")])
            #expect(answer.status == 429)
            #expect(answer.body == TestUpstream.errorBody.bytes)
            #expect(answer.headers["X-Upstream"] == ["yes"])
        }
    }

    @Test func hopByHopHeadersAreDroppedAndIdentityIsAsked() async throws {
        try await ProxyHarness.run { proxy in
            let body = Self.oddBody
            let response = await RawHTTP.exchange(
                port: proxy.port,
                "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:\(proxy.port)\r\nConnection: close, X-Private\r\n"
                    + "X-Private: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\n"
                    + "Accept-Encoding: gzip, br\r\nAuthorization: Bearer client-key\r\nX-Condenser-Mode: off\r\n"
                    + "X-Custom: kept\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
            #expect(RawHTTP.status(of: response) == 200)
            let headers = try #require(proxy.upstream.received.last?.headers)
            for name in ["X-Private", "Keep-Alive", "TE", "Proxy-Authorization", "X-Condenser-Mode"] {
                #expect(headers[HTTPField.Name(name)!] == nil, "\(name) was forwarded")
            }
            #expect(headers[.connection] == nil || headers[.connection] == "keep-alive")
            #expect(headers[.acceptEncoding] == "identity")
            #expect(headers[.authorization] == "Bearer client-key")
            #expect(headers[HTTPField.Name("X-Custom")!] == "kept")
            #expect(headers[.contentLength] == String(body.utf8.count))
        }
    }

    @Test func hopByHopResponseHeadersAreDropped() async throws {
        try await ProxyHarness.run { proxy in
            let answer = try await proxy.send(body: Self.oddBody.bytes, headers: [("X-Test-Behavior", "hop")])
            #expect(answer.status == 200)
            #expect(answer.headers["X-Upstream"] == ["yes"])
            #expect(answer.headers["Keep-Alive"].isEmpty)
            #expect(answer.headers["X-Hop"].isEmpty)
            #expect(answer.headers["Proxy-Authenticate"].isEmpty)
            #expect(answer.body == Self.oddBody.bytes)

            // The upstream did send them: asked directly, they are there.
            var direct = HTTPClientRequest(url: "http://127.0.0.1:\(proxy.upstreamPort)/v1/chat/completions")
            direct.method = .POST
            direct.headers.add(name: "X-Test-Behavior", value: "hop")
            direct.body = .bytes(ByteBuffer(string: Self.oddBody))
            let response = try await proxy.client.execute(direct, timeout: .seconds(10))
            #expect(response.headers["X-Hop"] == ["private"])
            #expect(response.headers["Keep-Alive"] == ["timeout=5"])
        }
    }

    @Test func configuredKeyIsUsedOnlyWhenTheClientSendsNone() async throws {
        try await ProxyHarness.run(configure: { $0.upstreamKey = UpstreamKey(value: "file-key", source: "test") }) { proxy in
            _ = try await proxy.send(body: Self.oddBody.bytes)
            #expect(proxy.upstream.received.last?.headers[.authorization] == "Bearer file-key")
            _ = try await proxy.send(body: Self.oddBody.bytes, headers: [("Authorization", "Bearer mine")])
            #expect(proxy.upstream.received.last?.headers[.authorization] == "Bearer mine")
        }
    }

    @Test(
        arguments: [
            ("{not json", "invalid_json", nil),
            (#"{"messages":[{"role":"user","content":"x"}]}"#, "missing_required_parameter", "model"),
            (#"{"model":"m"}"#, "missing_required_parameter", "messages"),
            (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "invalid_type", "messages[0].content"),
            (#"{"model":"m","messages":"hi"}"#, "invalid_type", "messages"),
        ] as [(String, String, String?)])
    func badChatBodiesGetA400SayingWhere(body: String, code: String, param: String?) async throws {
        try await ProxyHarness.run { proxy in
            let answer = try await proxy.send(body: body.bytes)
            #expect(answer.status == 400)
            let error = try #require(try JSONParser.parse(bytes: answer.body).objectValue?["error"]?.objectValue)
            #expect(error["code"]?.stringValue == code)
            #expect(error["param"]?.stringValue == param)
            #expect(error["type"]?.stringValue == "invalid_request_error")
            #expect((error["message"]?.stringValue ?? "").isEmpty == false)
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func largeBodiesParsedAndSerialisedOnTheBodyThreadsGetTheSameAnswers() async throws {
        let text = String(repeating: "hello ", count: 20_000)
        #expect(text.utf8.count > BodyThreads.inPlaceMaximumBytes)
        try await ProxyHarness.run(compressor: ShoutingCompressor()) { proxy in
            let bad = #"{"model":"m","messages":[{"role":"user","content":"\#(text)"}],"n":"#
            let refused = try await proxy.send(body: bad.bytes)
            #expect(refused.status == 400)
            #expect(refused.body.text.contains("invalid_json"))
            #expect(proxy.upstream.received.isEmpty)

            let good = #"{"model":"m","messages":[{"role":"user","content":"\#(text)"}]}"#
            let answer = try await proxy.send(body: good.bytes)
            #expect(answer.status == 200)
            #expect(
                proxy.upstream.received.last?.body.text == #"{"model":"m","messages":[{"role":"user","content":"\#(text.uppercased())"}]}"#)
        }
    }

    @Test func invalidModeHeaderIsRefused() async throws {
        try await ProxyHarness.run { proxy in
            let answer = try await proxy.send(body: Self.oddBody.bytes, headers: [("X-Condenser-Mode", "extreme")])
            #expect(answer.status == 400)
            #expect(answer.body.text.contains("X-Condenser-Mode"))
        }
    }

    @Test func bodyOverTheLimitIsA413() async throws {
        try await ProxyHarness.run(configure: { $0.maxBodyBytes = 1000 }) { proxy in
            let big = #"{"model":"m","messages":[{"role":"user","content":""# + String(repeating: "x", count: 5000) + #""}]}"#
            let answer = try await proxy.send(body: big.bytes)
            #expect(answer.status == 413)
            #expect(answer.body.text.contains("request_too_large"))
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func gzipBodiesAreInflatedAndCapped() async throws {
        try await ProxyHarness.run(configure: { $0.maxBodyBytes = 4000 }) { proxy in
            let gzipped = Zlib.deflate(Self.oddBody.bytes, format: .gzip)
            let answer = try await proxy.send(body: gzipped, headers: [("Content-Encoding", "gzip")])
            #expect(answer.status == 200)
            // Unchanged requests go up as they came, encoding included.
            #expect(proxy.upstream.received.last?.body == gzipped)

            let bomb = Zlib.deflate(Array(repeating: UInt8(ascii: " "), count: 1_000_000), format: .gzip)
            let refused = try await proxy.send(body: bomb, headers: [("Content-Encoding", "gzip")])
            #expect(refused.status == 413)

            let corrupt = try await proxy.send(body: [0x1f, 0x8b, 1, 2, 3], headers: [("Content-Encoding", "gzip")])
            #expect(corrupt.status == 400)
        }
    }

    @Test func unreachableUpstreamIsA502NamingIt() async throws {
        // A port that was just free: nothing listens there.
        let port = try freePort()
        try await ProxyHarness.run(configure: { $0.upstream = UpstreamURL(validating: "http://127.0.0.1:\(port)/v1")! }) { proxy in
            let answer = try await proxy.send(body: Self.oddBody.bytes)
            #expect(answer.status == 502)
            #expect(answer.body.text.contains("127.0.0.1:\(port)"))
            #expect(answer.body.text.contains("upstream_unreachable"))
        }
    }

    @Test func hangingUpstreamIsA504() async throws {
        try await ProxyHarness.run(configure: { $0.requestTimeout = .milliseconds(300) }) { proxy in
            let answer = try await proxy.send(body: Self.oddBody.bytes, headers: [("X-Test-Behavior", "hang")])
            #expect(answer.status == 504)
            #expect(answer.body.text.contains("upstream_timeout"))
            #expect(await proxy.upstream.waitFor("hang-abandoned"))
        }
    }

    @Test func savingsRecordAndRequestID() async throws {
        let recorder = RecordingRecorder()
        try await ProxyHarness.run(recorders: [recorder]) { proxy in
            let body = #"{"model":"gpt-x","messages":[{"role":"system","content":"S"},{"role":"user","content":"U"}]}"#
            let first = try await proxy.send(body: body.bytes, headers: [("User-Agent", "tool/1.0")])
            let generated = try #require(first.headers["X-Request-Id"].first)
            #expect(generated.hasPrefix("cnd-"))
            let second = try await proxy.send(body: body.bytes, headers: [("X-Request-Id", "client-7")])
            #expect(second.headers["X-Request-Id"] == ["client-7"])
            let third = try await proxy.send(body: body.bytes, headers: [("X-Upstream-Request-Id", "up-9")])
            #expect(third.headers["X-Request-Id"] == ["up-9"])

            let records = await recorder.waitForRecords(3)
            #expect(records.count == 3)
            #expect(records[0].requestID == generated)
            #expect(records[0].client == "tool/1.0")
            #expect(records[0].model == "gpt-x")
            #expect(records[0].upstreamStatus == 200)
            #expect(records[0].upstreamFirstByteMicros != nil)
            #expect(records[0].endpoint == "/v1/chat/completions")
            #expect(records[0].mode == .safe)
            #expect(records[1].requestID == "client-7")
            #expect(records[0].conversationFingerprint.count == 32)
            #expect(records[0].conversationFingerprint == records[1].conversationFingerprint)
        }
    }

    @Test func compressedRequestsCarryTokenHeadersAndNewBytes() async throws {
        try await ProxyHarness.run(compressor: ShoutingCompressor()) { proxy in
            let body = #"{"model":"m","messages":[{"role":"user","content":"hello"}]}"#
            let answer = try await proxy.send(body: body.bytes, headers: [("X-Condenser-Mode", "aggressive")])
            #expect(answer.status == 200)
            #expect(proxy.upstream.received.last?.body.text == #"{"model":"m","messages":[{"role":"user","content":"HELLO"}]}"#)
            #expect(answer.headers["X-Condenser-Tokens-In"] == ["10"])
            #expect(answer.headers["X-Condenser-Tokens-Out"] == ["7"])
            #expect(answer.headers["X-Condenser-Tokens-Saved"] == ["3"])
        }
    }

    @Test func compressEndpointAnswersWithoutCallingUpstream() async throws {
        try await ProxyHarness.run(compressor: ShoutingCompressor()) { proxy in
            let body = #"{"model":"m","messages":[{"role":"user","content":"hello"}]}"#
            let answer = try await proxy.send(.POST, "/v1/condenser/compress", body: body.bytes, headers: [("X-Condenser-Mode", "off")])
            #expect(answer.status == 200)
            let object = try #require(try JSONParser.parse(bytes: answer.body).objectValue)
            #expect(object["mode"]?.stringValue == "off")
            #expect(object["tokens_saved"]?.intValue == 3)
            #expect(object["stages"]?.arrayValue?.first?.objectValue?["stage"]?.stringValue == "shout")
            #expect(object["request"]?.objectValue?["messages"]?.arrayValue?.first?.objectValue?["content"]?.stringValue == "HELLO")
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func healthz() async throws {
        try await ProxyHarness.run { proxy in
            let answer = try await proxy.send(.GET, "/healthz")
            #expect(answer.status == 200)
            #expect(answer.body.text == #"{"status":"ok"}"#)
            let missing = try await proxy.send(.GET, "/nothing-here")
            #expect(missing.status == 404)
        }
    }
}

/// Upper-cases user messages, to see what the proxy does with a changed request.
struct ShoutingCompressor: ChatCompressor {
    func compress(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome {
        var changed = request.conversation
        for (index, message) in changed.messages.enumerated() where message.role == .user {
            for (position, part) in message.parts.enumerated() {
                guard case .text(var block) = part else { continue }
                block.text = block.text.uppercased()
                changed.messages[index].parts[position] = .text(block)
            }
        }
        return CompressionOutcome(
            body: request.body(applying: changed), changed: true, tokensIn: 10, tokensOut: 7,
            stages: [StageSavings(stage: "shout", tokensBefore: 10, tokensAfter: 7)]
        )
    }
}

/// A loopback port nothing listens on (bound, then closed).
func freePort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress?.port ?? 0
    try channel.close().wait()
    return port
}
