/// A block after the per-block stages and, before the summary boundary, the summary of
/// that text: the work on a block that depends on nothing but the block.
struct PreparedBlock: Sendable {
    var cleaned: String
    /// The count of `cleaned`, when known.
    var known: (text: String, count: Int)?
    var savings: [StageSavings]
    /// `summarizer.apply(cleaned)`, for a block before the boundary. The message's pass
    /// uses it when dedupe and boilerplate leave the cleaned text as it is.
    var summary: String?
}

extension CompressionPipeline {
    /// Below this many bytes of new text, a request is prepared inline, message by
    /// message: a new turn is too little work to share out.
    static let parallelMinimumBytes = 32 << 10

    /// The per-block work of every message the memo doesn't hold, done on all cores at
    /// once when there is enough of it (a cold request), else nothing (the messages'
    /// pass does it inline). Stages and the summarizer are pure functions of a block, so
    /// the results are the same either way; only the time differs. On a `WorkerThreads`
    /// thread, the other cores' share runs on that pool's threads.
    /// Messages before `verbatim` go as they came: nothing to prepare.
    func prepare(
        _ request: FrontRequest, hits: [MessageResult?], messageTokens: [Int], boundary: Int, verbatim: Int,
        mode: CompressionMode, counting: RequestTokenCounter, deadline: ContinuousClock.Instant, clock: ContinuousClock
    ) throws(PipelineError) -> [[PreparedBlock]?] {
        let messages = request.conversation.messages
        var work: [(message: Int, block: Int)] = []
        var bytes = 0
        for (index, message) in messages.enumerated() where index >= verbatim && hits[index] == nil && isCompressible(message.role) {
            for (blockIndex, block) in message.textBlocks.enumerated() {
                work.append((index, blockIndex))
                bytes += block.text.utf8.count
            }
        }
        guard work.count > 1, bytes >= Self.parallelMinimumBytes else { return Array(repeating: nil, count: messages.count) }
        // The largest blocks first, so no core is left with a long one at the end.
        work.sort { messages[$0.message].textBlocks[$0.block].text.utf8.count > messages[$1.message].textBlocks[$1.block].text.utf8.count }
        let knownCounts = messages.indices.map { index in
            hits[index] == nil && isCompressible(messages[index].role)
                ? contentTokens(request.messageValues[index], messageTokens[index], counting, profile: request.profile) : nil
        }
        let blocks = messages.map(\.textBlocks)
        let order = work
        let slots = Slots<PreparedBlock>(count: order.count)
        WorkerThreads.concurrentPerform(iterations: order.count) { [self] item in
            let (message, block) = order[item]
            // Each iteration writes only its own slot.
            slots.pointer[item] = try? clean(
                blocks[message][block], summarized: message < boundary, mode: mode, counter: counting.text,
                knownCount: knownCounts[message], deadline: deadline, clock: clock)
        }
        // A block left empty ran out of time.
        guard (0..<order.count).allSatisfy({ slots.pointer[$0] != nil }) else { throw .overBudget(settings.timeBudgetMilliseconds) }
        var prepared = [[PreparedBlock]?](repeating: nil, count: messages.count)
        var byMessage: [Int: [Int: PreparedBlock]] = [:]
        for (item, place) in order.enumerated() { byMessage[place.message, default: [:]][place.block] = slots.pointer[item] }
        for (message, entries) in byMessage {
            prepared[message] = (0..<entries.count).map { entries[$0]! }
        }
        return prepared
    }

    /// The count of each message of a large request, counted on all cores: counting is
    /// the one pass over every byte of a cold request (the caller asks only when the
    /// conversation's previous request is unknown). Nil for a small request, which the
    /// caller counts message by message.
    func countMessagesOnAllCores(_ request: FrontRequest, _ counting: RequestTokenCounter) -> [Int]? {
        let messages = request.messageValues
        guard messages.count > 1 else { return nil }
        let sizes = request.conversation.messages.map { message in message.textBlocks.reduce(0) { $0 + $1.text.utf8.count } }
        guard sizes.reduce(0, +) >= Self.parallelMinimumBytes else { return nil }
        // The largest messages first, so no core is left with a long one at the end.
        let order = messages.indices.sorted { sizes[$0] > sizes[$1] }
        let counts = Slots<Int>(count: messages.count)
        let profile = request.profile
        WorkerThreads.concurrentPerform(iterations: order.count) { item in
            // Each iteration writes only its own message's slot.
            counts.pointer[order[item]] = counting.message(messages[order[item]], of: profile)
        }
        return (0..<messages.count).map { counts.pointer[$0]! }
    }

    /// Runs the per-block stages over one block, keeping each change that saves tokens;
    /// with `summarized`, also summarises the result (and counts the summary, so the
    /// message's pass finds the count cached).
    func clean(
        _ block: TextBlock, summarized: Bool, mode: CompressionMode, counter: any TokenCounter, knownCount: Int?,
        deadline: ContinuousClock.Instant, clock: ContinuousClock
    ) throws(PipelineError) -> PreparedBlock {
        let context = block.context(mode: mode)
        var text = block.text
        var known: (text: String, count: Int)? = knownCount.map { (block.text, $0) }
        var savings: [StageSavings] = []
        for stage in stages {
            guard clock.now <= deadline else { throw .overBudget(settings.timeBudgetMilliseconds) }
            accept(
                stage.apply(text, context: context), replacing: &text, stage: stage.name, counter: counter, known: &known, savings: &savings
            )
        }
        var summary: String?
        if summarized, let summarizer {
            guard clock.now <= deadline else { throw .overBudget(settings.timeBudgetMilliseconds) }
            let output = summarizer.apply(text, context: context)
            if output != text, !output.isEmpty { _ = counter.count(output) }
            summary = output
        }
        return PreparedBlock(cleaned: text, known: known, savings: savings, summary: summary)
    }
}

/// Result slots that concurrent iterations fill, one each.
private final class Slots<Value>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Value?>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: nil, count: count)
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}
