import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Sends requests to the upstream over a pooled AsyncHTTPClient: HTTP/2 where the
/// upstream offers it, no redirects, no decompression.
final class Upstream: Sendable {
    let client: HTTPClient

    init(configuration: CondenserConfiguration, eventLoopGroup: any EventLoopGroup) {
        var settings = HTTPClient.Configuration()
        settings.redirectConfiguration = .disallow
        settings.decompression = .disabled
        settings.httpVersion = .automatic
        settings.timeout = .init(
            connect: .nanoseconds(configuration.connectTimeout.nanoseconds),
            read: .nanoseconds(configuration.streamIdleTimeout.nanoseconds)
        )
        settings.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // A refused connection is a 502 now, not after retrying until the connect timeout.
        settings.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: settings)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// What came back, and how long its head took.
    struct Answer: Sendable {
        var response: HTTPClientResponse
        var firstByte: Duration
    }

    /// Sends one request and waits for the response head, at most `timeout`. The body is
    /// left to the caller to stream. Maps failures to the 502 and 504 a client gets.
    func send(_ request: HTTPClientRequest, timeout: Duration, upstream: UpstreamURL) async throws(OpenAIError) -> Answer {
        let clock = ContinuousClock()
        let start = clock.now
        let client = self.client
        do {
            let response = try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
                group.addTask { try await client.execute(request, deadline: .distantFuture) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw RequestTimeout()
                }
                return response
            }
            return Answer(response: response, firstByte: clock.now - start)
        } catch {
            throw Self.map(error, upstream: upstream, timeout: timeout)
        }
    }

    private struct RequestTimeout: Error {}

    static func map(_ error: any Error, upstream: UpstreamURL, timeout: Duration) -> OpenAIError {
        if error is RequestTimeout {
            return .upstreamTimeout(upstream, reason: "no response within \(timeout) (upstream.request_timeout_seconds)")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout:
                return .upstreamTimeout(upstream, reason: "nothing read within the idle timeout (upstream.stream_idle_timeout_seconds)")
            case .deadlineExceeded:
                return .upstreamTimeout(upstream, reason: "the request deadline passed")
            case .connectTimeout, .tlsHandshakeTimeout:
                return .upstreamTimeout(upstream, reason: "connecting timed out (upstream.connect_timeout_seconds)")
            case .remoteConnectionClosed:
                return .upstreamUnreachable(upstream, reason: "the upstream closed the connection")
            case .cancelled:
                return .upstreamUnreachable(upstream, reason: "the request was cancelled")
            default:
                return .upstreamUnreachable(upstream, reason: UpstreamFailure.reason(for: error))
            }
        }
        if error is CancellationError {
            return .upstreamUnreachable(upstream, reason: "the request was cancelled")
        }
        return .upstreamUnreachable(upstream, reason: UpstreamFailure.reason(for: error))
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var microseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
    }
}
