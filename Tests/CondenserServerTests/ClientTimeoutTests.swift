import Foundation
import Testing

@testable import CondenserCore
@testable import CondenserServer

/// Slow and idle clients are let go: the head must come within the header timeout, a
/// body may not stall longer than the body idle timeout.
@Suite struct ClientTimeoutTests {
    static let oneSecond: @Sendable (inout CondenserConfiguration) -> Void = {
        $0.clientHeaderTimeout = .seconds(1)
        $0.clientBodyIdleTimeout = .seconds(1)
    }

    static func errorCode(in bytes: [UInt8]) -> String? {
        guard case .object(let object)? = try? JSONParser.parse(bytes: Array(bytes.httpBody.utf8)),
            case .object(let error)? = object["error"], case .string(let code)? = error["code"]
        else { return nil }
        return code
    }

    /// A head sent a byte at a time never completes in time: a 408, then the connection closes.
    @Test func aHeadDrippedSlowlyGetsA408AndIsClosed() async throws {
        try await ProxyHarness.run(configure: Self.oneSecond) { proxy in
            let connection = try #require(RawConnection(port: proxy.port))
            let head = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + String(repeating: "X-Slow: drip\r\n", count: 50) + "\r\n"
            let held = await connection.drip(head, every: .milliseconds(100), limit: .seconds(8))
            let (bytes, closed) = await connection.readUntilClosed(timeoutSeconds: 3)
            #expect(closed, "a slow head should close the connection")
            #expect(held < .seconds(4), "held for \(held) with a 1 s header timeout")
            #expect(RawHTTP.status(of: bytes.text) == 408, "\(bytes.text.prefix(300))")
            #expect(Self.errorCode(in: bytes) == "request_timeout", "\(bytes.text.prefix(300))")
        }
    }

    /// A connection that sends nothing is closed without an answer.
    @Test func aSilentConnectionIsClosed() async throws {
        try await ProxyHarness.run(configure: Self.oneSecond) { proxy in
            let connection = try #require(RawConnection(port: proxy.port))
            let clock = ContinuousClock()
            let start = clock.now
            let (bytes, closed) = await connection.readUntilClosed(timeoutSeconds: 5)
            #expect(closed)
            #expect(clock.now - start < .seconds(4))
            #expect(bytes.isEmpty, "\(bytes.text)")
        }
    }

    /// Between requests, a kept-alive connection waits at most the header timeout.
    @Test func anIdleKeptAliveConnectionIsClosedAfterItsResponse() async throws {
        try await ProxyHarness.run(configure: Self.oneSecond) { proxy in
            let connection = try #require(RawConnection(port: proxy.port))
            // Two requests a little under the timeout apart: the timer restarts after each response.
            for _ in 0..<2 {
                connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                try await Task.sleep(for: .milliseconds(700))
            }
            let (bytes, closed) = await connection.readUntilClosed(timeoutSeconds: 5)
            #expect(closed)
            #expect(bytes.text.components(separatedBy: "HTTP/1.1 200").count == 3, "\(bytes.text)")
            #expect(!bytes.text.contains("408"), "an idle connection gets no 408: \(bytes.text)")
        }
    }

    /// A body that stops arriving gets a 408, and nothing goes upstream.
    @Test func aStalledBodyGetsA408AndIsClosed() async throws {
        try await ProxyHarness.run(configure: Self.oneSecond) { proxy in
            let connection = try #require(RawConnection(port: proxy.port))
            connection.send(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":"
            )
            let clock = ContinuousClock()
            let start = clock.now
            let (bytes, closed) = await connection.readUntilClosed(timeoutSeconds: 5)
            #expect(closed)
            #expect(clock.now - start < .seconds(4))
            #expect(RawHTTP.status(of: bytes.text) == 408, "\(bytes.text.prefix(300))")
            #expect(Self.errorCode(in: bytes) == "request_timeout", "\(bytes.text.prefix(300))")
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    /// A body dripped a byte at a time is never silent, but makes no real progress: a 408.
    @Test func aBodyDrippedAByteAtATimeGetsA408() async throws {
        try await ProxyHarness.run(configure: Self.oneSecond) { proxy in
            let connection = try #require(RawConnection(port: proxy.port))
            connection.send(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
            let held = await connection.drip(String(repeating: " ", count: 1000), every: .milliseconds(100), limit: .seconds(8))
            let (bytes, closed) = await connection.readUntilClosed(timeoutSeconds: 3)
            #expect(closed)
            #expect(held < .seconds(4), "held for \(held) with a 1 s body idle timeout")
            #expect(RawHTTP.status(of: bytes.text) == 408, "\(bytes.text.prefix(300))")
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    /// A body that keeps coming at a modest rate is not cut by either timeout.
    @Test func aSlowButSteadyBodyIsServed() async throws {
        try await ProxyHarness.run(configure: Self.oneSecond) { proxy in
            let connection = try #require(RawConnection(port: proxy.port))
            let body = #"{"model":"m","messages":[{"role":"user","content":""# + String(repeating: "slow ", count: 2000) + #""}]}"#
            connection.send(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            )
            // About 2 s in all, longer than either timeout, 1.25 KB every 250 ms.
            _ = await connection.drip(body, size: body.utf8.count / 8 + 1, every: .milliseconds(250), limit: .seconds(8))
            let (bytes, _) = await connection.readUntilClosed(timeoutSeconds: 5)
            #expect(RawHTTP.status(of: bytes.text) == 200, "\(bytes.text.prefix(300))")
            #expect(proxy.upstream.received.last?.body == body.bytes)
        }
    }
}
