import Foundation
import Synchronization
import Testing

@testable import CondenserCore

#if canImport(Glibc)
import Glibc
#endif

/// A value that closures on several threads update.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func update(_ change: (inout Value) -> Void) { value.withLock { change(&$0) } }
    var current: Value { value.withLock { $0 } }
}

@Suite struct WorkerThreadsTests {
    /// Runs `job` on `threads` and waits for it suspended.
    static func run<T: Sendable>(on threads: WorkerThreads, _ job: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let queued = threads.submit { continuation.resume(returning: job()) }
            precondition(queued)
        }
    }

    /// A job that holds the pool's thread until `release` is signalled.
    static func block(_ threads: WorkerThreads) async -> DispatchSemaphore {
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        threads.submit {
            started.signal()
            release.wait()
        }
        await withCheckedContinuation { continuation in
            Thread {
                started.wait()
                continuation.resume()
            }.start()
        }
        return release
    }

    @Test func aJobsParallelLoopRunsOnThePoolsThreadsOnly() async {
        let threads = WorkerThreads(threads: 2, name: "test-work")
        let seen = Shared<[UInt]>([])
        let offPool = Shared(0)
        await Self.run(on: threads) {
            WorkerThreads.concurrentPerform(iterations: 16) { _ in
                let me = UInt(pthread_self())
                seen.update { $0.append(me) }
                if !WorkerThreads.isWorkerThread { offPool.update { $0 += 1 } }
                // Each iteration waits (a while at most) for a second thread to join in.
                let deadline = ContinuousClock.now + .seconds(2)
                while Set(seen.current).count < 2, ContinuousClock.now < deadline { usleep(200) }
            }
        }
        #expect(seen.current.count == 16)
        #expect(offPool.current == 0)
        #expect(Set(seen.current).count == 2)
        #expect(!WorkerThreads.isWorkerThread)
    }

    @Test func aFullQueueRefusesTheJob() async {
        let threads = WorkerThreads(threads: 1, queueLimit: 2, name: "test-work")
        let release = await Self.block(threads)
        let ran = Shared(0)
        #expect(threads.submit { ran.update { $0 += 1 } })
        #expect(threads.submit { ran.update { $0 += 1 } })
        #expect(!threads.submit { ran.update { $0 += 1 } })
        release.signal()
        let deadline = ContinuousClock.now + .seconds(5)
        while ran.current < 2, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(ran.current == 2)
    }

    @Test func requestJobsGoBeforeBackgroundOnes() async {
        let threads = WorkerThreads(threads: 1, name: "test-work")
        let release = await Self.block(threads)
        let order = Shared<[String]>([])
        threads.submit(priority: .background) { order.update { $0.append("background") } }
        threads.submit(priority: .request) { order.update { $0.append("request") } }
        release.signal()
        await Self.run(on: threads) {}
        // The background job may come last of all, after the probe job too.
        #expect(order.current.first == "request")
    }

    @Test func theThreadsRunAtTheirOwnNiceValue() async {
        let own = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let threads = WorkerThreads(threads: 1, name: "test-work", niceness: 7)
        let theirs = await Self.run(on: threads) { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        #expect(theirs == min(19, own + 7))
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == own)
    }

    @Test func offThePoolTheLoopStillRunsEveryIteration() {
        let done = Shared(Set<Int>())
        WorkerThreads.concurrentPerform(iterations: 50) { index in done.update { _ = $0.insert(index) } }
        #expect(done.current == Set(0..<50))
    }

    /// A stage and a counter that note whether they run on a pool thread.
    struct ThreadProbe: TextStage, TokenCounter {
        let calls = Shared(0)
        let offPool = Shared(0)
        var name: String { "probe" }

        func note() {
            calls.update { $0 += 1 }
            if !WorkerThreads.isWorkerThread { offPool.update { $0 += 1 } }
            // Slow enough that idle threads take their share.
            usleep(500)
        }

        func apply(_ text: String, context: BlockContext) -> String {
            note()
            return text
        }

        func count(_ text: String) -> Int { text.utf8.count / 4 }
    }

    @Test func aColdRequestCompressedOnThePoolCountsAndPreparesOnItsThreads() async {
        let probe = ThreadProbe()
        var settings = PipelineSettings()
        settings.timeBudgetMilliseconds = 60_000
        let pipeline = CompressionPipeline(settings: settings, stages: [probe], summarizer: nil) { _ in
            RequestTokenCounter(
                name: "probe", text: probe, overhead: { _ in 0 },
                message: { message in
                    probe.note()
                    return (ChatMessage(object: message.objectValue ?? [:]).content.text?.utf8.count ?? 0) / 4
                })
        }
        let output = (0..<200).map { "line \($0) of a long tool output" }.joined(separator: "\n")
        var messages = [ChatMessage(role: "user", content: "Run the tools.")]
        for call in 0..<12 {
            messages.append(
                ChatMessage(object: [
                    "role": .string("tool"), "tool_call_id": .string("call_\(call)"), "content": .string("\(call)\n" + output),
                ]))
        }
        messages.append(ChatMessage(role: "user", content: "And?"))
        let request = ChatRequest(body: ["model": .string("m")], messages: messages)
        let threads = WorkerThreads(threads: 2, name: "test-work")
        let outcome = await Self.run(on: threads) { pipeline.compress(request, mode: .safe) }
        #expect(outcome.failOpenReason == nil)
        #expect(probe.calls.current >= 24)
        #expect(probe.offPool.current == 0)
    }
}
