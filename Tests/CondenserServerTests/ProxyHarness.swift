import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

@testable import CondenserCore
@testable import CondenserServer

/// A proxy in front of a test upstream, and a client to call it with.
struct ProxyHarness: Sendable {
    var upstream: TestUpstream
    var upstreamPort: Int
    var port: Int
    var client: HTTPClient

    var base: String { "http://127.0.0.1:\(port)" }

    /// Runs a `TestUpstream` and a `ProxyServer` pointed at it, on ephemeral ports.
    static func run<T: Sendable>(
        configure: @Sendable (inout CondenserConfiguration) -> Void = { _ in },
        compressor: any ChatCompressor = IdentityCompressor(),
        recorders: [any SavingsRecorder] = [],
        listeners: [Listener]? = nil,
        _ body: @Sendable (ProxyHarness) async throws -> T
    ) async throws -> T {
        try await TestUpstream.run { upstream, upstreamPort in
            var configuration = CondenserConfiguration()
            configuration.listen = [ListenAddress(host: "127.0.0.1", port: 0)]
            configuration.upstream = UpstreamURL(validating: "http://127.0.0.1:\(upstreamPort)/v1")!
            configure(&configuration)
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let server = ProxyServer(
                store: ConfigurationStore(configuration), compressor: compressor, recorders: recorders, listeners: listeners,
                logger: Logger(label: "proxy", factory: { _ in SwiftLogNoOpLogHandler() }),
                onServing: { addresses in continuation.yield(addresses.first?.port ?? 0) }
            )
            return try await withServices([server]) {
                var iterator = ports.makeAsyncIterator()
                let port = await iterator.next() ?? 0
                let client = HTTPClient(
                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(redirectConfiguration: .disallow))
                do {
                    let result = try await body(ProxyHarness(upstream: upstream, upstreamPort: upstreamPort, port: port, client: client))
                    try await client.shutdown()
                    return result
                } catch {
                    try? await client.shutdown()
                    throw error
                }
            }
        }
    }

    /// Sends a request to the proxy and collects the whole answer.
    func send(
        _ method: HTTPMethod = .POST, _ path: String = "/v1/chat/completions", body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) async throws -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return (Int(response.status.code), response.headers, Array(collected.readableBytesView))
    }
}

/// Collects savings records handed to the server.
final class RecordingRecorder: SavingsRecorder {
    private let storage = Mutex<[SavingsRecord]>([])
    var records: [SavingsRecord] { storage.withLock { $0 } }
    func record(_ record: SavingsRecord) { storage.withLock { $0.append(record) } }

    /// The records once there are `count` of them (a record is written when its
    /// response body ends, which may be just after the client has read it), or after
    /// five seconds those there are.
    func waitForRecords(_ count: Int) async -> [SavingsRecord] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while records.count < count, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return records
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
