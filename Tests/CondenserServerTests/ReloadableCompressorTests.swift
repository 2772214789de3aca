import Foundation
import Synchronization
import Testing

@testable import CondenserCore
@testable import CondenserServer

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

@Suite struct ReloadableCompressorTests {
    /// A conversation with enough repeated tool output for every stage to have work.
    static func request() -> ChatRequest {
        let log = (0..<400).map { "2026-11-21T10:\($0 % 60):00Z worker[\($0)] processed batch \($0) in \($0 % 7) ms" }.joined(
            separator: "\n")
        var messages: [JSONValue] = [
            .object(["role": .string("system"), "content": .string("You are a coding agent.")]),
            .object(["role": .string("user"), "content": .string("Look at the worker log.")]),
        ]
        for call in 0..<6 {
            messages.append(
                .object([
                    "role": .string("assistant"), "content": .null,
                    "tool_calls": .array([
                        .object([
                            "id": .string("call_\(call)"), "type": .string("function"),
                            "function": .object([
                                "name": .string("run_command"), "arguments": .string(#"{"command":"tail -n 400 worker.log"}"#),
                            ]),
                        ])
                    ]),
                ]))
            messages.append(.object(["role": .string("tool"), "tool_call_id": .string("call_\(call)"), "content": .string(log)]))
        }
        messages.append(.object(["role": .string("user"), "content": .string("What failed?")]))
        return try! ChatRequest.validate(.object(["model": .string("gpt-4o"), "messages": .array(messages)]))
    }

    @Test func anOverrunIsFinishedInTheBackgroundSoTheNextRequestIsWarm() async throws {
        var settings = PipelineSettings()
        // A budget no request of this size can meet, cold or warm: what matters is that
        // the background warm-up fills the memo with every message.
        settings.timeBudgetMilliseconds = 1
        let compressor = ReloadableCompressor(settings: settings)
        let request = Self.request()
        let first = compressor.compress(request, mode: .safe)
        #expect(CompressionPipeline.ranOutOfTime(first))
        #expect(!first.changed)
        #expect(first.chatRequest == request)
        await compressor.waitForWarmUp()
        let memo = compressor.currentPipeline.memo
        #expect(memo.count >= request.messages.count - 1)
    }

    @Test func aRequestWithinBudgetStartsNoWarmUp() async {
        let compressor = ReloadableCompressor(settings: PipelineSettings())
        let outcome = compressor.compress(
            ChatRequest(body: ["model": .string("gpt-4o")], messages: [ChatMessage(role: "user", content: "hi")]), mode: .safe)
        #expect(outcome.failOpenReason == nil)
        #expect(compressor.currentPipeline.memo.count == 0)
    }

    /// Holds the thread of a one-thread pool until the semaphore is signalled.
    static func hold(_ threads: WorkerThreads) async -> DispatchSemaphore {
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

    @Test func aColdRequestWaitsForACompressionThreadWithoutHoldingTheCooperativePool() async throws {
        var settings = PipelineSettings()
        // Waiting for the thread counts against the budget: a budget nothing here reaches.
        settings.timeBudgetMilliseconds = 600_000
        let threads = WorkerThreads(threads: 1, queueLimit: 32, name: "test-compress")
        let compressor = ReloadableCompressor(settings: settings, threads: threads)
        // Hold the only compression thread.
        let release = await Self.hold(threads)
        let request = Self.request()
        // More waiting requests than the cooperative pool has threads.
        let compressing = (0..<12).map { _ in Task { await compressor.compressOffPool(request, mode: .safe) } }
        let done = Shared(0)
        let probeRan = Shared(false)
        for task in compressing {
            Task {
                _ = await task.value
                done.update { $0 += 1 }
            }
        }
        // Other work on the pool goes on while they wait.
        let probe = Task.detached {
            for _ in 0..<10 { await Task.yield() }
            probeRan.update { $0 = true }
        }
        await withCheckedContinuation { continuation in
            // A plain thread lets go of the compression thread once the probe has run, or
            // after ten seconds if the cooperative pool is stuck.
            Thread {
                let deadline = Date().addingTimeInterval(10)
                while !probeRan.current, Date() < deadline { usleep(1000) }
                continuation.resume()
            }.start()
        }
        #expect(probeRan.current)
        #expect(done.current == 0, "compressed while the only compression thread was held")
        release.signal()
        await probe.value
        for task in compressing {
            let outcome = await task.value
            #expect(outcome.changed)
            #expect(outcome.failOpenReason == nil)
        }
    }

    @Test func aSmallRequestCompressesInPlace() async {
        let threads = WorkerThreads(threads: 1, name: "test-compress")
        let compressor = ReloadableCompressor(settings: PipelineSettings(), threads: threads)
        let release = await Self.hold(threads)
        let outcome = await compressor.compressOffPool(
            ChatRequest(body: ["model": .string("gpt-4o")], messages: [ChatMessage(role: "user", content: "hi")]), mode: .safe)
        #expect(outcome.failOpenReason == nil)
        release.signal()
    }

    @Test func reloadWithTheSameSettingsKeepsTheMemo() {
        let compressor = ReloadableCompressor(settings: PipelineSettings())
        let before = compressor.settings
        compressor.update(settings: before)
        #expect(compressor.settings == before)
        var changed = before
        changed.recentTurns = 7
        compressor.update(settings: changed)
        #expect(compressor.settings.recentTurns == 7)
    }
}
