/// A per-block rewrite: one job, applied to one text block at a time.
///
/// Stages must be pure and deterministic: the same text and context give the same
/// output in every process, on every run, or a provider's prefix cache stops hitting.
/// A stage that has nothing to do returns its input unchanged.
package protocol TextStage: Sendable {
    /// The stage's stable name, as it appears in records and reports.
    var name: String { get }
    func apply(_ text: String, context: BlockContext) -> String
}
