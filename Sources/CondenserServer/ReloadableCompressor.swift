import CondenserCore
import Synchronization

/// The standard pipeline behind the proxy's hook, rebuilt when a reload changes its
/// settings. Requests already compressing keep the pipeline they started with.
///
/// A request that runs out of its time budget goes upstream uncompressed (fail open),
/// and its work is then finished in the background with a longer budget: the memo
/// keeps it, so the conversation's next request is warm instead of failing open again.
public final class ReloadableCompressor: ChatCompressor, Sendable {
    private let pipeline: Mutex<CompressionPipeline>
    private let warmingUp = Atomic<Bool>(false)

    /// A background warm-up may take this many times the request's budget, and at
    /// least two seconds: nobody waits for it, and giving up would waste its work.
    static let warmUpBudgetFactor = 20
    static let minimumWarmUpMilliseconds = 2000

    /// Told when the conversation state can't be read or written.
    private let warn: @Sendable (String) -> Void

    public init(settings: PipelineSettings, warn: @escaping @Sendable (String) -> Void = CompressionPipeline.printWarning) {
        self.warn = warn
        pipeline = Mutex(CompressionPipeline.standard(settings: settings, warn: warn))
    }

    /// The pipeline in force.
    var currentPipeline: CompressionPipeline { pipeline.withLock { $0 } }

    /// The settings in force.
    public var settings: PipelineSettings { pipeline.withLock { $0.settings } }

    /// Puts new settings in force. Unchanged settings keep the pipeline and its memo,
    /// so a reload that only touches other keys costs no cache warmth.
    public func update(settings: PipelineSettings) {
        pipeline.withLock { current in
            if current.settings != settings {
                // The new pipeline starts from the state file: it must hold the old one's records.
                current.flushState()
                current = CompressionPipeline.standard(settings: settings, warn: warn)
            }
        }
    }

    public func compress(_ request: ChatRequest, mode: CompressionMode) -> CompressionOutcome {
        let pipeline = currentPipeline
        let outcome = pipeline.compress(request, mode: mode)
        if CompressionPipeline.ranOutOfTime(outcome) {
            warmUp(pipeline, request: request, mode: mode)
        }
        return outcome
    }

    /// One warm-up at a time, at low priority: a burst of huge cold requests must not
    /// take the cores from the requests being served.
    private func warmUp(_ pipeline: CompressionPipeline, request: ChatRequest, mode: CompressionMode) {
        guard warmingUp.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let budget = max(pipeline.settings.timeBudgetMilliseconds * Self.warmUpBudgetFactor, Self.minimumWarmUpMilliseconds)
        Task.detached(priority: .background) { [self] in
            _ = pipeline.compress(request, mode: mode, timeBudgetMilliseconds: budget)
            self.warmingUp.store(false, ordering: .releasing)
        }
    }

    /// Waits until the conversation state is on disk (before the process exits).
    public func flushState() {
        currentPipeline.flushState()
    }

    /// Waits until no warm-up runs (for tests).
    func waitForWarmUp() async {
        while warmingUp.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
