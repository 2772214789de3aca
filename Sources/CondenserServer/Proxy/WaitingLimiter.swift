import Synchronization

/// A first-come, first-served allowance of some resource (upstream requests in flight,
/// bytes of request bodies held): a request takes a share, waiting while too little is
/// left, and gives it back when done.
///
/// A share larger than the whole allowance is cut to the allowance, so such a request
/// still runs, alone. Waiting ends at the deadline (`LimiterTimeout`) or when the
/// waiting task is cancelled (`CancellationError`).
final class WaitingLimiter: Sendable {
    let capacity: Int

    private struct Waiter {
        var id: UInt64
        var amount: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        /// Waits that are set up but not queued yet, and how they ended if they ended
        /// before they could queue (a timeout or cancellation that came first).
        var settingUp: [UInt64: (any Error)?] = [:]
    }

    private let state: Mutex<State>

    init(capacity: Int) {
        precondition(capacity > 0, "a limiter needs a positive capacity")
        self.capacity = capacity
        state = Mutex(State(available: capacity))
    }

    /// What is taken now.
    var inUse: Int { state.withLock { capacity - $0.available } }

    /// Requests waiting for a share.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Takes `amount` (at least 1, at most the capacity), waiting up to `timeout`.
    /// Throws `LimiterTimeout` when the wait runs out, `CancellationError` when the task is
    /// cancelled while waiting.
    func acquire(_ amount: Int, timeout: Duration) async throws -> Lease {
        let amount = min(max(amount, 1), capacity)
        let id: UInt64? = state.withLock { state in
            if state.waiters.isEmpty, state.available >= amount {
                state.available -= amount
                return nil
            }
            state.nextID += 1
            state.settingUp[state.nextID] = .some(nil)
            return state.nextID
        }
        guard let id else { return Lease(limiter: self, amount: amount) }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.abandon(id, with: LimiterTimeout(waited: timeout))
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let endedEarly: (any Error)? = state.withLock { state in
                    let ended = state.settingUp.removeValue(forKey: id) ?? nil
                    if ended == nil {
                        state.waiters.append(Waiter(id: id, amount: amount, continuation: continuation))
                    }
                    return ended
                }
                if let endedEarly {
                    continuation.resume(throwing: endedEarly)
                } else {
                    grant()
                }
            }
        } onCancel: {
            abandon(id, with: CancellationError())
        }
        return Lease(limiter: self, amount: amount)
    }

    /// Removes a waiter that has not been granted yet and fails its wait.
    private func abandon(_ id: UInt64, with error: any Error) {
        let removed: Waiter? = state.withLock { state in
            if state.settingUp[id] != nil {
                state.settingUp[id] = .some(error)
                return nil
            }
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        removed?.continuation.resume(throwing: error)
        // The head of the queue may have been waiting behind the one that left.
        grant()
    }

    fileprivate func release(_ amount: Int) {
        state.withLock { $0.available += amount }
        grant()
    }

    /// Grants waiters in order while what is left covers the first one.
    private func grant() {
        let granted: [Waiter] = state.withLock { state in
            var granted: [Waiter] = []
            while let first = state.waiters.first, first.amount <= state.available {
                state.available -= first.amount
                granted.append(state.waiters.removeFirst())
            }
            return granted
        }
        for waiter in granted {
            waiter.continuation.resume()
        }
    }

    /// A share taken from a limiter; given back by `release()` or, at the latest, when the
    /// lease is freed.
    final class Lease: Sendable {
        private let limiter: WaitingLimiter
        let amount: Int
        private let released = Atomic(false)

        fileprivate init(limiter: WaitingLimiter, amount: Int) {
            self.limiter = limiter
            self.amount = amount
        }

        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            limiter.release(amount)
        }

        deinit {
            release()
        }
    }
}

/// The wait for a `WaitingLimiter` share ran out.
struct LimiterTimeout: Error {
    var waited: Duration
}
