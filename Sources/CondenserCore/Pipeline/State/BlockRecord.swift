/// What the indexes learn from one text block of the output.
struct BlockRecord: Sendable {
    /// The block's text when it is in the request in full (a reference target).
    var fullText: String?
    var fingerprint: Deduplicator.Fingerprint?
    /// Hashes of the block's long paragraphs, as they are in the output.
    var paragraphs: [StableHash]
    /// The lines of the block (when in full) and of its call's long arguments, for runs.
    var lineSources: [Deduplicator.LineSource] = []
}
