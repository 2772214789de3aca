import CondenserCore
import Synchronization

/// The standard pipeline behind the proxy's hook, rebuilt when a reload changes its
/// settings. Requests already compressing keep the pipeline they started with.
public final class ReloadableCompressor: ChatCompressor, Sendable {
    private let pipeline: Mutex<CompressionPipeline>

    public init(settings: PipelineSettings) {
        pipeline = Mutex(CompressionPipeline.standard(settings: settings))
    }

    /// The settings in force.
    public var settings: PipelineSettings { pipeline.withLock { $0.settings } }

    /// Puts new settings in force. Unchanged settings keep the pipeline and its memo,
    /// so a reload that only touches other keys costs no cache warmth.
    public func update(settings: PipelineSettings) {
        pipeline.withLock { current in
            if current.settings != settings {
                current = CompressionPipeline.standard(settings: settings)
            }
        }
    }

    public func compress(_ request: ChatRequest, mode: CompressionMode) -> CompressionOutcome {
        pipeline.withLock { $0 }.compress(request, mode: mode)
    }
}
