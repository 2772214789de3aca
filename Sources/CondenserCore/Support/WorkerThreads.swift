import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Threads of their own for CPU-heavy work, so that it never holds one of Swift's
/// cooperative threads: there are as many of those as cores, and every request's relay
/// needs them.
///
/// Jobs wait in a queue of at most `queueLimit`, request jobs before background ones. A
/// job spreads a loop over the pool's idle threads with `concurrentPerform`; the helpers
/// of a background job step aside as soon as a request job waits. The threads start on
/// the first job and end when the pool is released and its queue is empty.
package final class WorkerThreads: Sendable {
    package enum Priority: Sendable {
        case request, background
    }

    package var threadCount: Int { pool.threadCount }
    package var queueLimit: Int { pool.queueLimit }
    private let pool: Pool

    /// - Parameters:
    ///   - threads: how many threads; the cores by default.
    ///   - queueLimit: how many jobs may wait; eight per thread by default.
    ///   - name: the threads' name, with a number appended (as `top -H` shows them).
    ///   - niceness: the threads' nice value (Linux schedules threads one by one): above
    ///     0, threads waking to relay a stream get a core ahead of them.
    package init(
        threads: Int = ProcessInfo.processInfo.activeProcessorCount, queueLimit: Int? = nil, name: String = "condenser-work",
        niceness: Int32 = 0
    ) {
        let threads = max(1, threads)
        pool = Pool(threadCount: threads, queueLimit: max(1, queueLimit ?? threads * 8), name: name, niceness: niceness)
    }

    deinit {
        pool.stop()
    }

    /// Queues `job`. False, and `job` not queued, when `queueLimit` jobs already wait.
    @discardableResult
    package func submit(priority: Priority = .request, _ job: @escaping @Sendable () -> Void) -> Bool {
        pool.submit(Job(priority: priority, run: job))
    }

    /// Runs `body` once for each index in `0..<iterations`, and returns when all have run.
    /// On a thread of a `WorkerThreads`, the iterations run on that thread and on the
    /// pool's idle threads; anywhere else, on Dispatch's threads.
    static func concurrentPerform(iterations: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard iterations > 0 else { return }
        guard let context = WorkerContext.current else {
            DispatchQueue.concurrentPerform(iterations: iterations) { body($0) }
            return
        }
        let batch = Batch(iterations: iterations, body: body)
        let helpers = min(context.pool.threadCount - 1, iterations - 1)
        if helpers > 0 {
            let priority = context.priority
            let yields = priority == .background
            context.pool.addHelpers(count: helpers, priority: priority) { [pool = context.pool] in
                batch.run(yielding: yields ? pool : nil)
            }
        }
        // The caller never steps aside: only it is sure to be running.
        batch.run(yielding: nil)
        batch.waitForAll()
    }

    /// Whether the calling thread is one of some `WorkerThreads`' threads.
    static var isWorkerThread: Bool { WorkerContext.current != nil }
}

private struct Job: Sendable {
    var priority: WorkerThreads.Priority
    var run: @Sendable () -> Void
}

/// The queues and the threads that serve them.
private final class Pool: @unchecked Sendable {
    let threadCount: Int
    let queueLimit: Int
    let name: String
    let niceness: Int32
    /// Guards everything below.
    private let condition = NSCondition()
    private var requestHelpers: [Job] = []
    private var requests: [Job] = []
    private var backgroundHelpers: [Job] = []
    private var background: [Job] = []
    private var started = false
    private var stopping = false
    /// Request jobs waiting, for background helpers to check without the lock.
    let requestsWaiting = Atomic<Int>(0)

    init(threadCount: Int, queueLimit: Int, name: String, niceness: Int32) {
        self.threadCount = threadCount
        self.queueLimit = queueLimit
        self.name = name
        self.niceness = niceness
    }

    func submit(_ job: Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, requests.count + background.count < queueLimit else { return false }
        switch job.priority {
        case .request:
            requests.append(job)
            requestsWaiting.add(1, ordering: .relaxed)
        case .background:
            background.append(job)
        }
        startThreadsIfNeeded()
        condition.signal()
        return true
    }

    /// Helpers go ahead of the jobs of their priority: their batch has started, and
    /// finishing it frees its thread.
    func addHelpers(count: Int, priority: WorkerThreads.Priority, _ run: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        for _ in 0..<count {
            switch priority {
            case .request: requestHelpers.append(Job(priority: .request, run: run))
            case .background: backgroundHelpers.append(Job(priority: .background, run: run))
            }
        }
        condition.broadcast()
    }

    /// The next job for a thread, waiting for one; nil when the pool is stopping and
    /// nothing is left.
    func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if !requestHelpers.isEmpty { return requestHelpers.removeFirst() }
            if !requests.isEmpty {
                requestsWaiting.subtract(1, ordering: .relaxed)
                return requests.removeFirst()
            }
            if !backgroundHelpers.isEmpty { return backgroundHelpers.removeFirst() }
            if !background.isEmpty { return background.removeFirst() }
            if stopping { return nil }
            condition.wait()
        }
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Called with the lock held.
    private func startThreadsIfNeeded() {
        guard !started else { return }
        started = true
        for index in 0..<threadCount {
            let thread = Thread { [self] in
                #if os(Linux)
                // On Linux the nice value is the calling thread's own (who 0: this thread).
                if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
                #endif
                let context = WorkerContext(pool: self)
                context.install()
                while let job = next() {
                    context.priority = job.priority
                    job.run()
                }
            }
            thread.name = "\(name)-\(index)"
            // The pipeline's parsers recurse; a secondary thread's default stack is small.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// What a pool thread knows about itself, reachable from the code its jobs run.
private final class WorkerContext {
    let pool: Pool
    /// The priority of the job running on this thread; only this thread touches it.
    var priority: WorkerThreads.Priority = .request

    init(pool: Pool) {
        self.pool = pool
    }

    /// Makes this the calling thread's context. The thread's closure keeps it alive.
    func install() {
        pthread_setspecific(workerContextKey, Unmanaged.passUnretained(self).toOpaque())
    }

    static var current: WorkerContext? {
        guard let pointer = pthread_getspecific(workerContextKey) else { return nil }
        return Unmanaged<WorkerContext>.fromOpaque(pointer).takeUnretainedValue()
    }
}

private let workerContextKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// The iterations of one `concurrentPerform`, taken one at a time by whichever thread
/// asks next, so no thread sits idle while another has several left.
private final class Batch: @unchecked Sendable {
    let iterations: Int
    let body: @Sendable (Int) -> Void
    private let nextIndex = Atomic<Int>(0)
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var completed = 0

    init(iterations: Int, body: @escaping @Sendable (Int) -> Void) {
        self.iterations = iterations
        self.body = body
    }

    /// Runs iterations until none is left; with a pool to yield to, stops early while a
    /// request job waits on it.
    func run(yielding pool: Pool?) {
        while true {
            if let pool, pool.requestsWaiting.load(ordering: .relaxed) > 0 { return }
            let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < iterations else { return }
            body(index)
            condition.lock()
            completed += 1
            if completed == iterations { condition.broadcast() }
            condition.unlock()
        }
    }

    /// Waits for every iteration taken so far to finish; called after `run` returned on
    /// the caller's thread, so every iteration has been taken.
    func waitForAll() {
        condition.lock()
        while completed < iterations { condition.wait() }
        condition.unlock()
    }
}
