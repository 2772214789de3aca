import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Sends requests to the upstream over a pooled AsyncHTTPClient: HTTP/2 where the
/// upstream offers it, no redirects, no decompression.
///
/// At most `upstream.max_connections` requests are in flight at once, each from its
/// send until its response body is relayed or dropped. A request beyond that waits in
/// line here, within its request timeout, rather than in the client's pool, whose
/// queue gives up after the connect timeout with an error that reads as "unreachable".
final class Upstream: Sendable {
    let client: HTTPClient
    let slots: WaitingLimiter

    init(configuration: CondenserConfiguration, eventLoopGroup: any EventLoopGroup) {
        var settings = HTTPClient.Configuration()
        settings.redirectConfiguration = .disallow
        settings.decompression = .disabled
        settings.httpVersion = .automatic
        // The client's read timeout runs while the head is awaited too, which the request
        // timeout governs; the silence between body chunks is timed by `IdleTimeoutBody`.
        // This one only reaps a connection that went silent for longer than both.
        let readTimeout = max(configuration.requestTimeout, configuration.streamIdleTimeout) + .seconds(1)
        settings.timeout = .init(
            connect: .nanoseconds(configuration.connectTimeout.nanoseconds),
            read: .nanoseconds(readTimeout.nanoseconds)
        )
        settings.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.upstreamMaxConnections)
        // A refused connection is a 502 now, not after retrying until the connect timeout.
        settings.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: settings)
        slots = WaitingLimiter(capacity: configuration.upstreamMaxConnections)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// What came back, and how long its head took.
    struct Answer: Sendable {
        var response: HTTPClientResponse
        var firstByte: Duration
        /// The request's place among `upstream.max_connections`: release it when the body
        /// is relayed (dropping the answer releases it too).
        var slot: WaitingLimiter.Lease
    }

    /// Sends one request and waits for the response head, at most `timeout` in all,
    /// waiting for a free slot included. The body is left to the caller to stream. Maps
    /// failures to the 502, 503 and 504 a client gets.
    func send(_ request: HTTPClientRequest, timeout: Duration, upstream: UpstreamURL) async throws(OpenAIError) -> Answer {
        let clock = ContinuousClock()
        let start = clock.now
        let client = self.client
        let slot: WaitingLimiter.Lease
        do {
            slot = try await slots.acquire(1, timeout: timeout)
        } catch is LimiterTimeout {
            throw .upstreamBusy(slots.capacity, waited: timeout)
        } catch {
            throw .upstreamUnreachable(upstream, reason: "the request was cancelled")
        }
        let timeout = timeout - (clock.now - start)
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
            return Answer(response: response, firstByte: clock.now - start, slot: slot)
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
