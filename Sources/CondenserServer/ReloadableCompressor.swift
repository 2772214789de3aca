import CondenserCore
import Synchronization

/// The standard pipeline behind the proxy's hook, rebuilt when a reload changes its
/// settings. Requests already compressing keep the pipeline they started with.
///
/// Off the cooperative pool: `compressOffPool` runs a request with much new text (a cold
/// one) on threads of the compressor's own, its parallel work included, so a big cold
/// request never holds a thread another request's relay needs. A request with little
/// new text (a small one, or a new turn of a warm conversation) compresses in place:
/// that takes less than a hop to a thread would, and it never queues behind a cold one.
///
/// A request that runs out of its time budget goes upstream uncompressed (fail open),
/// and its work is then finished in the background with a longer budget: the memo
/// keeps it, so the conversation's next request is warm instead of failing open again.
/// Time spent waiting for a thread counts against the budget.
package final class ReloadableCompressor: ChatCompressor, Sendable {
    private let pipeline: Mutex<CompressionPipeline>
    private let warmingUp = Atomic<Bool>(false)
    private let threads: WorkerThreads

    /// A background warm-up may take this many times the request's budget, and at
    /// least two seconds: nobody waits for it, and giving up would waste its work.
    static let warmUpBudgetFactor = 20
    static let minimumWarmUpMilliseconds = 2000
    /// Requests with less new text than this compress on the calling task: under a
    /// millisecond of work.
    static let inPlaceMaximumUnseenBytes = 8 << 10

    /// Told when the conversation state can't be read or written.
    private let warn: @Sendable (String) -> Void

    /// - Parameters:
    ///   - threads: where requests with much new text and warm-ups compress.
    ///   - warn: told when the conversation state can't be read or written.
    package init(
        settings: PipelineSettings,
        threads: WorkerThreads = WorkerThreads(name: "condenser-compress", niceness: 10),
        warn: @escaping @Sendable (String) -> Void = CompressionPipeline.printWarning
    ) {
        self.warn = warn
        self.threads = threads
        pipeline = Mutex(CompressionPipeline.standard(settings: settings, warn: warn))
    }

    /// The pipeline in force.
    var currentPipeline: CompressionPipeline { pipeline.withLock { $0 } }

    /// The settings in force.
    var settings: PipelineSettings { pipeline.withLock { $0.settings } }

    /// Puts new settings in force. Unchanged settings keep the pipeline and its memo,
    /// so a reload that only touches other keys costs no cache warmth.
    func update(settings: PipelineSettings) {
        pipeline.withLock { current in
            if current.settings != settings {
                // The new pipeline starts from the state file: it must hold the old one's records.
                current.flushState()
                current = CompressionPipeline.standard(settings: settings, warn: warn)
            }
        }
    }

    package func compress(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome {
        compress(request, mode: mode, with: currentPipeline, budgetStart: ContinuousClock.now)
    }

    package func compressOffPool(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome {
        let pipeline = currentPipeline
        let submitted = ContinuousClock.now
        guard pipeline.unseenTextBytes(request) >= Self.inPlaceMaximumUnseenBytes else {
            return compress(request, mode: mode, with: pipeline, budgetStart: submitted)
        }
        return await withCheckedContinuation { continuation in
            let queued = threads.submit(priority: .request) { [self] in
                continuation.resume(returning: compress(request, mode: mode, with: pipeline, budgetStart: submitted))
            }
            if !queued {
                continuation.resume(
                    returning: CompressionOutcome(
                        body: request.body, changed: false, tokensIn: 0, tokensOut: 0,
                        failOpenReason: "all \(threads.threadCount) compression threads busy and \(threads.queueLimit) requests waiting"))
            }
        }
    }

    package func preview(_ request: FrontRequest, mode: CompressionMode) async -> CompressionOutcome {
        let pipeline = currentPipeline
        return await withCheckedContinuation { continuation in
            let queued = threads.submit(priority: .request) {
                continuation.resume(returning: pipeline.preview(request, mode: mode))
            }
            if !queued {
                continuation.resume(
                    returning: CompressionOutcome(
                        body: request.body, changed: false, tokensIn: 0, tokensOut: 0,
                        failOpenReason: "all \(threads.threadCount) compression threads busy and \(threads.queueLimit) requests waiting"))
            }
        }
    }

    private func compress(
        _ request: FrontRequest, mode: CompressionMode, with pipeline: CompressionPipeline, budgetStart: ContinuousClock.Instant
    ) -> CompressionOutcome {
        let budget = pipeline.settings.timeBudgetMilliseconds
        let outcome: CompressionOutcome
        if ContinuousClock.now >= budgetStart.advanced(by: .milliseconds(budget)) {
            // Its budget went on waiting for a thread; counting alone would overrun it.
            outcome = CompressionOutcome(
                body: request.body, changed: false, tokensIn: 0, tokensOut: 0,
                failOpenReason: "time budget of \(budget) ms exceeded waiting for a compression thread")
        } else {
            outcome = pipeline.compress(request, mode: mode, timeBudgetMilliseconds: budget, budgetStart: budgetStart)
        }
        if CompressionPipeline.ranOutOfTime(outcome) {
            warmUp(pipeline, request: request, mode: mode)
        }
        return outcome
    }

    /// One warm-up at a time, behind every request waiting for a thread, and its
    /// parallel helpers step aside for them: a burst of huge cold requests must not take
    /// the threads from the requests being served.
    private func warmUp(_ pipeline: CompressionPipeline, request: FrontRequest, mode: CompressionMode) {
        guard warmingUp.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let budget = max(pipeline.settings.timeBudgetMilliseconds * Self.warmUpBudgetFactor, Self.minimumWarmUpMilliseconds)
        let queued = threads.submit(priority: .background) { [self] in
            _ = pipeline.compress(request, mode: mode, timeBudgetMilliseconds: budget)
            warmingUp.store(false, ordering: .releasing)
        }
        if !queued { warmingUp.store(false, ordering: .releasing) }
    }

    /// Waits until the conversation state is on disk (before the process exits).
    func flushState() {
        currentPipeline.flushState()
    }

    /// Waits until no warm-up runs (for tests).
    func waitForWarmUp() async {
        while warmingUp.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
