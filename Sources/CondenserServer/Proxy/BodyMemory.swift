import Synchronization

/// The memory request bodies hold while they are read, compressed and sent upstream,
/// bounded by `limits.max_inflight_megabytes`: a request takes its share before it reads
/// its body, and waits, within its request timeout, while others hold too much.
///
/// When the last share is given back after large bodies, the allocator is asked to
/// return its free pages to the system, so a burst of large requests does not leave
/// the daemon's resident memory at its peak.
final class BodyMemory: Sendable {
    let limiter: WaitingLimiter
    /// Bytes given back since the allocator last returned free pages.
    private let releasedSinceTrim = Atomic(0)
    /// Returning pages costs a pass over the heap; only worth it after this much.
    static let trimThreshold = 16 << 20

    init(capacity: Int) {
        limiter = WaitingLimiter(capacity: capacity)
    }

    /// What one request holds; give it back with `release()` when its body has gone
    /// upstream.
    func hold(timeout: Duration) -> Hold {
        Hold(memory: self, timeout: timeout)
    }

    fileprivate func released(_ amount: Int) {
        let total = releasedSinceTrim.add(amount, ordering: .relaxed).newValue
        guard total >= Self.trimThreshold, limiter.inUse == 0 else { return }
        releasedSinceTrim.store(0, ordering: .relaxed)
        AllocatorTrim.now()
    }

    /// One request's shares.
    final class Hold: Sendable {
        private let memory: BodyMemory
        private let timeout: Duration
        private let leases = Mutex<[WaitingLimiter.Lease]>([])

        fileprivate init(memory: BodyMemory, timeout: Duration) {
            self.memory = memory
            self.timeout = timeout
        }

        /// Bytes held so far.
        var bytes: Int { leases.withLock { $0.reduce(0) { $0 + $1.amount } } }

        /// Takes `bytes` more, waiting for them if need be; a 503 when they don't come
        /// within the timeout.
        func take(_ bytes: Int) async throws(OpenAIError) {
            guard bytes > 0 else { return }
            do {
                let lease = try await memory.limiter.acquire(bytes, timeout: timeout)
                leases.withLock { $0.append(lease) }
            } catch is LimiterTimeout {
                throw .proxyBusy(memory.limiter.capacity >> 20, waited: timeout)
            } catch {
                throw .badRequest("The request was cancelled while waiting for memory.")
            }
        }

        /// Takes whatever more it needs to hold `bytes` in all.
        func grow(to bytes: Int) async throws(OpenAIError) {
            try await take(bytes - self.bytes)
        }

        func release() {
            let taken = leases.withLock { leases in
                defer { leases.removeAll() }
                return leases
            }
            guard !taken.isEmpty else { return }
            var amount = 0
            for lease in taken {
                amount += lease.amount
                lease.release()
            }
            memory.released(amount)
        }

        deinit {
            release()
        }
    }
}
