import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import CondenserServer

/// What a client sees when the upstream misbehaves or is busy: a cut stays a cut, a busy
/// upstream is waited for and then a 503, and each timeout governs its own phase.
@Suite struct UpstreamFaultTests {
    static let chatBody = ProxyResponderTests.oddBody

    static func chatRequest(port: Int, extraHeaders: String = "") -> String {
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n\(extraHeaders)"
            + "Content-Length: \(chatBody.utf8.count)\r\n\r\n\(chatBody)"
    }

    /// Runs the proxy in front of a `RawUpstream` that answers `answer`.
    static func withRawUpstream(answer: String, _ body: @Sendable (ProxyHarness) async throws -> Void) async throws {
        let raw = try RawUpstream(answer: answer)
        defer { raw.stop() }
        try await ProxyHarness.run(configure: { $0.upstream = UpstreamURL(validating: "http://127.0.0.1:\(raw.port)/v1")! }) { proxy in
            try await body(proxy)
        }
    }

    @Test func aBodyCutShortOfItsLengthReachesTheClientCut() async throws {
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":\"chatcmpl-1\",\"choices\":["
        try await Self.withRawUpstream(answer: answer) { proxy in
            for request in [
                Self.chatRequest(port: proxy.port),
                "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:\(proxy.port)\r\n\r\n",
            ] {
                let response = await RawHTTP.exchange(port: proxy.port, request, timeoutSeconds: 5)
                #expect(RawHTTP.status(of: response) == 200)
                #expect(response.contains("{\"id\":\"chatcmpl-1\",\"choices\":["))
                // Nothing but the upstream's bytes after the head, and short of its length.
                #expect(!response.contains("400 Bad Request"), "\(response)")
                #expect(!RawHTTP.isComplete(Array(response.utf8)), "\(response)")
            }
            // A real client reports the cut instead of a clean end.
            var request = HTTPClientRequest(url: proxy.base + "/v1/models")
            request.method = .GET
            await #expect(throws: (any Error).self) {
                let response = try await proxy.client.execute(request, timeout: .seconds(5))
                _ = try await response.body.collect(upTo: 1 << 20)
            }
        }
    }

    @Test func aStreamCutMidwayReachesTheClientWithoutItsLastChunk() async throws {
        let event = "data: {\"index\":0}\n\n"
        let answer =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + String(event.utf8.count, radix: 16) + "\r\n" + event + "\r\n"
        try await Self.withRawUpstream(answer: answer) { proxy in
            let response = await RawHTTP.exchange(port: proxy.port, Self.chatRequest(port: proxy.port), timeoutSeconds: 5)
            #expect(RawHTTP.status(of: response) == 200)
            #expect(response.contains(event))
            #expect(!response.contains("400 Bad Request"), "\(response)")
            #expect(!response.hasSuffix("0\r\n\r\n"), "\(response)")
        }
    }

    @Test func aRequestBeyondTheConnectionLimitWaitsThenGetsA503() async throws {
        let metrics = MetricsRecorder()
        try await ProxyHarness.run(
            configure: {
                $0.upstreamMaxConnections = 1
                $0.requestTimeout = .milliseconds(800)
            }, recorders: [metrics]
        ) { proxy in
            // One stream holds the only slot.
            var stalled = HTTPClientRequest(url: proxy.base + "/v1/chat/completions")
            stalled.method = .POST
            stalled.headers.add(name: "X-Test-Behavior", value: "stall:3000")
            stalled.body = .bytes(ByteBuffer(string: Self.chatBody))
            let holder = Task {
                let response = try await proxy.client.execute(stalled, timeout: .seconds(30))
                for try await _ in response.body {}
            }
            try await Task.sleep(for: .milliseconds(200))
            let busy = try await proxy.send(body: Self.chatBody.bytes)
            #expect(busy.status == 503)
            #expect(busy.body.text.contains("upstream.max_connections"))
            #expect(busy.body.text.contains("upstream_busy"))
            #expect(metrics.render().contains(#"condenser_busy_total{reason="upstream_busy"} 1"#), "\(metrics.render())")
            // The slot comes back when the stream ends (here: its client leaves).
            holder.cancel()
            _ = await holder.result
            #expect(await proxy.upstream.waitFor("stall-abandoned", timeout: .seconds(6)), "\(proxy.upstream.events)")
            let served = try await proxy.send(body: Self.chatBody.bytes)
            #expect(served.status == 200)
        }
    }

    @Test func aRequestInLineIsServedWhenASlotFrees() async throws {
        try await ProxyHarness.run(configure: {
            $0.upstreamMaxConnections = 1
            $0.requestTimeout = .seconds(10)
        }) { proxy in
            async let first = proxy.send(body: Self.chatBody.bytes, headers: [("X-Test-Behavior", "sse:5:100")])
            try await Task.sleep(for: .milliseconds(100))
            let second = try await proxy.send(body: Self.chatBody.bytes)
            #expect(second.status == 200)
            #expect(try await first.status == 200)
        }
    }

    @Test func aSlowHeadIsGovernedByTheRequestTimeoutNotTheIdleTimeout() async throws {
        try await ProxyHarness.run(configure: {
            $0.streamIdleTimeout = .milliseconds(300)
            $0.requestTimeout = .seconds(10)
        }) { proxy in
            let answer = try await proxy.send(body: Self.chatBody.bytes, headers: [("X-Test-Behavior", "delay:1200")])
            #expect(answer.status == 200)
            #expect(answer.body == Self.chatBody.bytes)
        }
    }

    @Test func aStreamSilentForTheIdleTimeoutIsCut() async throws {
        try await ProxyHarness.run(configure: { $0.streamIdleTimeout = .milliseconds(500) }) { proxy in
            var request = HTTPClientRequest(url: proxy.base + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "X-Test-Behavior", value: "stall:3000")
            request.body = .bytes(ByteBuffer(string: Self.chatBody))
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await proxy.client.execute(request, timeout: .seconds(20))
            #expect(response.status == .ok)
            await #expect(throws: (any Error).self) {
                for try await _ in response.body {}
            }
            #expect(clock.now - start < .seconds(10))
            #expect(await proxy.upstream.waitFor("stall-abandoned", timeout: .seconds(6)), "\(proxy.upstream.events)")
        }
    }

    @Test func bodiesBeyondTheMemoryAllowanceWaitThenGetA503() async throws {
        let metrics = MetricsRecorder()
        try await ProxyHarness.run(
            configure: {
                $0.maxInflightBytes = 1 << 20
                $0.requestTimeout = .milliseconds(800)
            }, recorders: [metrics]
        ) { proxy in
            // A client that declares a large body and sends only its start holds the
            // whole allowance while its body is read.
            let slow = Task {
                await RawHTTP.exchange(
                    port: proxy.port,
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 400000\r\n\r\n{\"model\":\"m\",",
                    timeoutSeconds: 3)
            }
            try await Task.sleep(for: .milliseconds(300))
            let busy = try await proxy.send(body: Self.chatBody.bytes)
            #expect(busy.status == 503)
            #expect(busy.body.text.contains("limits.max_inflight_megabytes"))
            #expect(metrics.render().contains(#"condenser_busy_total{reason="proxy_busy"} 1"#), "\(metrics.render())")
            _ = await slow.value
            let served = try await proxy.send(body: Self.chatBody.bytes)
            #expect(served.status == 200)
        }
    }
}
