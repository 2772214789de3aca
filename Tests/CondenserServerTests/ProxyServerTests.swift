import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import CondenserCore
@testable import CondenserServer

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProxyServerTests {
    static let chat = #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#

    static func expectedStream(count: Int) -> String {
        (0..<count).map { "data: {\"index\":\($0)}\n\n" }.joined() + "data: [DONE]\n\n"
    }

    @Test func sseEventsReachTheClientBeforeTheUpstreamFinishes() async throws {
        try await ProxyHarness.run { proxy in
            var request = HTTPClientRequest(url: proxy.base + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "X-Test-Behavior", value: "sse:5:200")
            request.body = .bytes(ByteBuffer(string: Self.chat))
            let response = try await proxy.client.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == ["text/event-stream"])
            var received = ""
            var sawEventBeforeUpstreamFinished = false
            for try await chunk in response.body {
                if received.isEmpty {
                    sawEventBeforeUpstreamFinished = !proxy.upstream.events.contains("stream-finished")
                }
                received += String(buffer: chunk)
            }
            #expect(sawEventBeforeUpstreamFinished)
            #expect(received == Self.expectedStream(count: 5))
            #expect(proxy.upstream.events.contains("stream-finished"))
        }
    }

    @Test func clientLeavingMidStreamCancelsTheUpstreamRequest() async throws {
        try await ProxyHarness.run { proxy in
            let (firstChunk, gotFirst) = AsyncStream.makeStream(of: Void.self)
            let reader = Task {
                var request = HTTPClientRequest(url: proxy.base + "/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "X-Test-Behavior", value: "sse:200:50")
                request.body = .bytes(ByteBuffer(string: Self.chat))
                let response = try await proxy.client.execute(request, timeout: .seconds(60))
                for try await _ in response.body {
                    gotFirst.yield()
                }
            }
            for await _ in firstChunk { break }
            reader.cancel()
            #expect(await proxy.upstream.waitFor("stream-aborted", timeout: .seconds(5)))
            #expect(!proxy.upstream.events.contains("stream-finished"))
        }
    }

    @Test func clientLeavingBeforeTheAnswerCancelsTheUpstreamRequest() async throws {
        try await ProxyHarness.run { proxy in
            let waiting = Task {
                _ = try await proxy.send(body: Self.chat.bytes, headers: [("X-Test-Behavior", "hang")])
            }
            // Let the request reach the upstream, then leave.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while proxy.upstream.received.isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            waiting.cancel()
            #expect(await proxy.upstream.waitFor("hang-abandoned", timeout: .seconds(5)))
        }
    }

    @Test func servesAnInheritedListeningSocket() async throws {
        let (descriptor, port) = try Self.listeningSocket()
        try await ProxyHarness.run(listeners: [.descriptor(descriptor)]) { proxy in
            #expect(proxy.port == port)
            let health = try await proxy.send(.GET, "/healthz")
            #expect(health.status == 200)
            let answer = try await proxy.send(body: ProxyResponderTests.oddBody.bytes)
            #expect(answer.body == ProxyResponderTests.oddBody.bytes)
        }
    }

    @Test func anAddressThisHostLacksIsSkippedWhenOthersBind() async throws {
        // 192.0.2.1 (TEST-NET-1) is on no local interface: binding it fails with EADDRNOTAVAIL.
        try await ProxyHarness.run(configure: {
            $0.listen = [ListenAddress(host: "192.0.2.1", port: 0), ListenAddress(host: "127.0.0.1", port: 0)]
        }) { proxy in
            let health = try await proxy.send(.GET, "/healthz")
            #expect(health.status == 200)
        }
    }

    @Test func noUsableAddressIsAnError() async throws {
        var configuration = CondenserConfiguration()
        configuration.listen = [ListenAddress(host: "192.0.2.1", port: 0)]
        let server = ProxyServer(
            store: ConfigurationStore(configuration), logger: Logger(label: "proxy", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        await #expect(throws: ListenError.self) { try await server.run() }
    }

    @Test func gracefulShutdownLetsOpenStreamsFinish() async throws {
        try await TestUpstream.run { upstream, upstreamPort in
            let (received, finished) = try await Self.streamAcrossShutdown(
                upstreamPort: upstreamPort, behavior: "sse:8:100", grace: .seconds(10)
            )
            #expect(received == Self.expectedStream(count: 8))
            #expect(finished)
            #expect(upstream.events.contains("stream-finished"))
        }
    }

    @Test func gracePeriodBoundsTheDrain() async throws {
        try await TestUpstream.run { upstream, upstreamPort in
            // The stream would take 10 s; cut short and incomplete shows the grace period
            // ended it (no wall-clock bound: it flakes on a loaded machine).
            let (received, finished) = try await Self.streamAcrossShutdown(
                upstreamPort: upstreamPort, behavior: "sse:100:100", grace: .milliseconds(300)
            )
            #expect(!finished)
            #expect(received.count < Self.expectedStream(count: 100).count)
        }
    }

    /// Starts a stream through a proxy, shuts the proxy down gracefully after the first
    /// event, and reports what the client got and whether the stream ended cleanly.
    static func streamAcrossShutdown(upstreamPort: Int, behavior: String, grace: Duration) async throws -> (String, Bool) {
        var configuration = CondenserConfiguration()
        configuration.listen = [ListenAddress(host: "127.0.0.1", port: 0)]
        configuration.upstream = UpstreamURL(validating: "http://127.0.0.1:\(upstreamPort)/v1")!
        configuration.shutdownGrace = grace
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ProxyServer(
            store: ConfigurationStore(configuration),
            logger: Logger(label: "proxy", factory: { _ in SwiftLogNoOpLogHandler() }),
            onServing: { continuation.yield($0.first?.port ?? 0) }
        )
        let group = ServiceGroup(
            configuration: .init(services: [server], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        )
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        do {
            let result = try await exchange(client: client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }

        @Sendable func exchange(client: HTTPClient) async throws -> (String, Bool) {
            try await withThrowingTaskGroup(of: (String, Bool)?.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return nil
                }
                var iterator = ports.makeAsyncIterator()
                let port = await iterator.next() ?? 0
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "X-Test-Behavior", value: behavior)
                request.body = .bytes(ByteBuffer(string: chat))
                let response = try await client.execute(request, timeout: .seconds(30))
                var received = ""
                var finished = true
                do {
                    for try await chunk in response.body {
                        if received.isEmpty { await group.triggerGracefulShutdown() }
                        received += String(buffer: chunk)
                    }
                } catch {
                    finished = false
                }
                try await tasks.waitForAll()
                return (received, finished)
            }
        }
    }

    /// A listening TCP socket on an ephemeral loopback port, as systemd would pass one.
    static func listeningSocket() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        try #require(bound)
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
