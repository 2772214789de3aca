import NIOCore
import Synchronization

/// An upstream response body whose iteration fails with `BodyIdleTimeout` when the next
/// chunk takes longer than `idleTimeout` to arrive.
///
/// The upstream client's own read timeout also runs while the response head is awaited,
/// which `upstream.request_timeout_seconds` governs; so the client's timeout is set
/// long, and the silence between chunks is timed here. The base body is read on a task
/// of its own, one chunk at a time and only when the next chunk is asked for (no
/// read-ahead: a slow client slows the upstream read, as without this wrapper). Ending
/// the iteration early (timeout, cancellation) cancels that task, and so the upstream
/// request.
struct IdleTimeoutBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    let base: Base
    let idleTimeout: Duration

    func makeAsyncIterator() -> Iterator {
        Iterator(owner: Owner(handoff: Handoff(base: base, idleTimeout: idleTimeout)))
    }

    struct Iterator: AsyncIteratorProtocol {
        let owner: Owner

        mutating func next() async throws -> ByteBuffer? {
            try await owner.handoff.next()
        }
    }

    /// Held by the iterator alone: an iterator dropped before the end stops the reading
    /// task (which holds the handoff, not this) and so the upstream request.
    final class Owner: Sendable {
        let handoff: Handoff

        init(handoff: Handoff) {
            self.handoff = handoff
        }

        deinit {
            handoff.finish(with: CancellationError())
        }
    }

    /// The hand-over between the reading task and the consumer.
    final class Handoff: Sendable {
        private struct State {
            var reader: Task<Void, Never>?
            var watchdog: Task<Void, Never>?
            /// The reading task, parked until the consumer asks for a chunk.
            var demand: CheckedContinuation<Bool, Never>?
            /// The consumer, waiting for a chunk; and since when.
            var consumer: CheckedContinuation<ByteBuffer?, any Error>?
            var askedAt: ContinuousClock.Instant?
            var finished = false
        }

        private let state = Mutex(State())
        private let base: Base
        private let idleTimeout: Duration

        init(base: Base, idleTimeout: Duration) {
            self.base = base
            self.idleTimeout = idleTimeout
        }

        func next() async throws -> ByteBuffer? {
            startIfNeeded()
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
                    let (demand, done): (CheckedContinuation<Bool, Never>?, Bool) = state.withLock { state in
                        if state.finished { return (nil, true) }
                        state.consumer = continuation
                        state.askedAt = .now
                        defer { state.demand = nil }
                        return (state.demand, false)
                    }
                    if done {
                        continuation.resume(returning: nil)
                    } else {
                        demand?.resume(returning: true)
                    }
                }
            } onCancel: {
                finish(with: CancellationError())
            }
        }

        private func startIfNeeded() {
            state.withLock { state in
                guard state.reader == nil, !state.finished else { return }
                state.reader = Task { [base] in await self.read(base) }
                state.watchdog = Task { await self.watch() }
            }
        }

        /// Waits for the consumer to ask, and hands it the next chunk, until the base ends.
        private func read(_ base: Base) async {
            var iterator = base.makeAsyncIterator()
            while true {
                let wanted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    let ready = state.withLock { state -> Bool? in
                        if state.finished { return false }
                        if state.consumer != nil { return true }
                        state.demand = continuation
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
                guard wanted else { return }
                let result: Result<ByteBuffer?, any Error>
                do {
                    result = .success(try await iterator.next())
                } catch {
                    result = .failure(error)
                }
                let consumer: CheckedContinuation<ByteBuffer?, any Error>? = state.withLock { state in
                    defer {
                        state.consumer = nil
                        state.askedAt = nil
                    }
                    if case .success(nil) = result { state.finished = true }
                    if case .failure = result { state.finished = true }
                    if state.finished { state.watchdog?.cancel() }
                    return state.consumer
                }
                consumer?.resume(with: result)
                if case .success(.some) = result { continue }
                return
            }
        }

        /// Ends the body once the consumer has waited longer than the idle timeout.
        private func watch() async {
            let tick = Swift.min(Duration.seconds(1), idleTimeout / 4)
            while true {
                guard (try? await Task.sleep(for: tick)) != nil else { return }
                let (finished, expired) = state.withLock { state -> (Bool, Bool) in
                    guard !state.finished else { return (true, false) }
                    guard let asked = state.askedAt else { return (false, false) }
                    return (false, ContinuousClock.now - asked >= idleTimeout)
                }
                if finished { return }
                if expired {
                    finish(with: BodyIdleTimeout(idleTimeout: idleTimeout))
                    return
                }
            }
        }

        /// Ends the iteration with `error` for a waiting consumer, and stops reading.
        func finish(with error: any Error) {
            let (consumer, demand, reader, watchdog):
                (CheckedContinuation<ByteBuffer?, any Error>?, CheckedContinuation<Bool, Never>?, Task<Void, Never>?, Task<Void, Never>?) =
                    state.withLock { state in
                        guard !state.finished else { return (nil, nil, nil, nil) }
                        state.finished = true
                        defer {
                            state.consumer = nil
                            state.demand = nil
                            state.askedAt = nil
                        }
                        return (state.consumer, state.demand, state.reader, state.watchdog)
                    }
            reader?.cancel()
            watchdog?.cancel()
            demand?.resume(returning: false)
            consumer?.resume(throwing: error)
        }
    }
}

/// Nothing came from the upstream for the stream idle timeout.
struct BodyIdleTimeout: Error, CustomStringConvertible {
    var idleTimeout: Duration

    var description: String {
        "nothing read from the upstream for \(idleTimeout) (upstream.stream_idle_timeout_seconds)"
    }
}
