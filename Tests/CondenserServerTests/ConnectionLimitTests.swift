import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import CondenserCore
@testable import CondenserServer

/// Keeps what is logged, for tests that check what the server says and how often.
final class CapturedLog: Sendable {
    private let lines = Mutex<[(level: Logger.Level, message: String)]>([])

    var entries: [(level: Logger.Level, message: String)] { lines.withLock { $0 } }

    func count(_ level: Logger.Level, containing text: String) -> Int {
        entries.filter { $0.level == level && $0.message.contains(text) }.count
    }

    var logger: Logger {
        Logger(label: "captured") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.lines.withLock { $0.append((event.level, event.message.description)) }
        }
    }
}

/// Beyond `limits.max_connections` open client connections, new ones are closed at once
/// and counted; once some end, connections are served again.
@Suite struct ConnectionLimitTests {
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"

    /// Reads one response from a kept-alive connection (a few reads at most).
    static func readResponse(_ connection: RawConnection) async -> String {
        await withCheckedContinuation { continuation in
            Thread {
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                for _ in 0..<20 where !RawHTTP.isComplete(received) {
                    var poller = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&poller, 1, 3000) > 0 else { break }
                    let count = buffer.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    received.append(contentsOf: buffer[0..<count])
                }
                continuation.resume(returning: received.text)
            }.start()
        }
    }

    @Test func connectionsBeyondTheCapAreClosedAndCounted() async throws {
        try await TestUpstream.run { _, upstreamPort in
            var configuration = CondenserConfiguration()
            configuration.listen = [ListenAddress(host: "127.0.0.1", port: 0)]
            configuration.upstream = UpstreamURL(validating: "http://127.0.0.1:\(upstreamPort)/v1")!
            configuration.maxConnections = 3
            let metrics = MetricsRecorder()
            let log = CapturedLog()
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let server = ProxyServer(
                store: ConfigurationStore(configuration),
                logger: log.logger,
                metrics: metrics,
                onServing: { addresses in continuation.yield(addresses.first?.port ?? 0) }
            )
            try await withServices([server]) {
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                // Three connections, each known to be admitted: each was answered.
                var open: [RawConnection] = []
                for _ in 0..<3 {
                    let connection = try #require(RawConnection(port: port))
                    connection.send(Self.healthz)
                    #expect(RawHTTP.status(of: await Self.readResponse(connection)) == 200)
                    open.append(connection)
                }
                // Further ones are closed before a byte is read, counted, and logged once.
                for _ in 0..<3 {
                    let refused = try #require(RawConnection(port: port))
                    refused.send(Self.healthz)
                    let (bytes, closed) = await refused.readUntilClosed(timeoutSeconds: 3)
                    #expect(closed, "a connection over the cap should be closed at once")
                    #expect(bytes.isEmpty, "\(bytes.text)")
                }
                #expect(metrics.render().contains("condenser_connections_refused_total 3"), "\(metrics.render())")
                #expect(log.count(.warning, containing: "connection limit reached") == 1, "\(log.entries)")

                // Some end: a new connection is served again, and that is said once.
                open.removeFirst(2)
                var status = 0
                for _ in 0..<50 where status != 200 {
                    try await Task.sleep(for: .milliseconds(50))
                    status = RawHTTP.status(of: await RawHTTP.exchange(port: port, Self.healthz, timeoutSeconds: 2))
                }
                #expect(status == 200)
                #expect(log.count(.notice, containing: "Accepting connections again") == 1, "\(log.entries)")
                withExtendedLifetime(open) {}
            }
        }
    }
}
