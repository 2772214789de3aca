/// What the pipeline decided for one message, and what later messages need to know of it.
struct MessageResult: Sendable {
    /// The new text of each text block, in order; nil where a block is unchanged.
    var outputs: [String?]
    /// Tokens each stage removed from this message, in pipeline order; stages that
    /// changed nothing are absent.
    var savings: [StageSavings]
    /// For each text block, what the dedupe and boilerplate indexes record of it.
    var records: [BlockRecord]

    var byteSize: Int {
        var size = 64
        for output in outputs { size += output?.utf8.count ?? 0 }
        for record in records {
            size += (record.fullText?.utf8.count ?? 0) + 16 * record.paragraphs.count + 64
            for source in record.lineSources { size += 24 * source.keys.count + 8 * source.anchors.count }
        }
        return size
    }
}
