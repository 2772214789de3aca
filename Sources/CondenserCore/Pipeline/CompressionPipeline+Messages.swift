extension CompressionPipeline {
    /// The result for every message of `conversation`, from the memo where it can.
    ///
    /// - Parameters:
    ///   - messageTokens: the count of each message of `request`.
    ///   - knownHashes: the content hashes of its first messages, known from the
    ///     conversation's previous request.
    func process(
        _ request: FrontRequest, messageTokens: [Int], knownHashes: ArraySlice<StableHash>,
        mode: CompressionMode, counting: RequestTokenCounter,
        deadline: ContinuousClock.Instant, clock: ContinuousClock, now: ContinuousClock.Instant, recording: Bool = true
    ) throws(PipelineError) -> [MessageResult] {
        let conversation = request.conversation
        let messages = conversation.messages
        let modeKey = modeKey(mode, counting)
        // Hashing reads every byte of a message: once per message, for both key kinds, and
        // only for messages the conversation's previous request didn't have.
        let messageHashes = Array(knownHashes) + messages[knownHashes.count...].map(\.contentHash)
        if recording { recentRequests.store(request, tokens: messageTokens, hashes: messageHashes, counter: counting.name) }
        let conversationKeys = conversationKeys(messageHashes, modeKey: modeKey)
        let history = history(conversationKeys, of: request, at: now)
        let boundary = summaryBoundary(
            conversation, messageTokens: messageTokens, mode: mode, previous: history.boundary, pricing: request.profile.cachePricing,
            pinnedPrefix: request.pinnedPrefix)
        let verbatim = min(history.verbatimPrefix, messages.count)
        // Each message's memo key: its result depends only on the messages before it in
        // its region (their hashes chained), itself, and where the boundary is (for a user
        // message before it, also whether a later one is there too), and whether it goes
        // as the client sent it.
        var userSummaries = summarisableUserMessages(messages, boundary: boundary)
        for index in 0..<verbatim { userSummaries[index] = false }
        var keys: [StableHash] = []
        keys.reserveCapacity(messages.count)
        var chain = StableHash(high: 0, low: 0)
        for (index, messageHash) in messageHashes.enumerated() {
            if index == boundary, boundary > 0 { chain = StableHash(high: 0, low: 0) }
            var place = index < boundary ? (userSummaries[index] ? "-1|user" : "-1") : "\(boundary)"
            if index < verbatim { place += "|verbatim" }
            keys.append(
                modeKey.combined(with: StableHash("\(index)|\(place)")).combined(with: chain)
                    .combined(with: messageHash))
            chain = chain.combined(with: messageHash)
        }
        let hits = keys.map { memo.value(for: $0) }
        let prepared = try prepare(
            request, hits: hits, messageTokens: messageTokens, boundary: boundary, verbatim: verbatim, mode: mode, counting: counting,
            deadline: deadline, clock: clock)
        // The indexes as the previous request of the conversation left them, when all the
        // messages they hold are memoised: only the messages after those are registered.
        let memoised = hits.firstIndex { $0 == nil } ?? hits.count
        var dedupeIndex = Deduplicator.Index()
        var boilerplateIndex = BoilerplateRemover.Index()
        var registered = 0
        if let (messages, snapshot) = indexSnapshots.take(keys, limit: memoised) {
            (dedupeIndex, boilerplateIndex, registered) = (snapshot.dedupe, snapshot.boilerplate, messages)
        }
        var results: [MessageResult] = []
        results.reserveCapacity(messages.count)
        var lastAssistant = 0
        for (index, message) in messages.enumerated() {
            if message.role == .assistant { lastAssistant = index }
            if index < registered, let hit = hits[index] {
                results.append(hit)
                continue
            }
            if index == boundary, boundary > 0 {
                // References after the boundary point only at messages after it: the
                // ones before it are summarised, not in the request in full.
                dedupeIndex = Deduplicator.Index()
                boilerplateIndex = BoilerplateRemover.Index()
            }
            guard clock.now <= deadline else { throw .overBudget(settings.timeBudgetMilliseconds) }
            let result: MessageResult
            if let hit = hits[index] {
                result = hit
            } else {
                result = try processMessage(
                    message, index: index, summarized: index < boundary, summarizesUser: userSummaries[index], verbatim: index < verbatim,
                    mode: mode, counter: counting.text,
                    knownCount: isCompressible(message.role)
                        ? contentTokens(request.messageValues[index], messageTokens[index], counting, profile: request.profile) : nil,
                    callMessageIndex: lastAssistant, prepared: prepared[index], dedupeIndex: dedupeIndex,
                    boilerplateIndex: boilerplateIndex, deadline: deadline, clock: clock)
                memo.insert(result, for: keys[index])
            }
            for (record, block) in zip(result.records, message.textBlocks) {
                if let text = record.fullText, let fingerprint = record.fingerprint {
                    deduplicator.register(text, fingerprint: fingerprint, role: block.role, messageIndex: index, in: &dedupeIndex)
                }
                for source in record.lineSources { deduplicator.register(source, in: &dedupeIndex) }
                boilerplate.register(record.paragraphs, messageIndex: index, in: &boilerplateIndex)
            }
            results.append(result)
        }
        guard recording else { return results }
        if let last = keys.last {
            indexSnapshots.store(IndexSnapshots.Snapshot(dedupe: dedupeIndex, boilerplate: boilerplateIndex), for: last)
        }
        if let last = conversationKeys.last { ledger.record(last, boundary: boundary, verbatimPrefix: verbatim, at: now) }
        return results
    }

    /// Records a request that goes upstream as it came, being too small to compress.
    ///
    /// The provider caches its prefix as it is (summary boundary 0). Without the record,
    /// the conversation's first request over the threshold would pass for one never
    /// forwarded and be cut as deep as the recency window allows, re-billing the cached
    /// prefix.
    ///
    /// Every message went as the client sent it, which the record says: a reply may sign
    /// thinking over those bytes.
    func recordUncompressed(
        _ request: FrontRequest, knownHashes: ArraySlice<StableHash>, messageTokens: [Int], mode: CompressionMode,
        counting: RequestTokenCounter,
        at now: ContinuousClock.Instant
    ) {
        let messages = request.conversation.messages
        let messageHashes = Array(knownHashes) + messages[knownHashes.count...].map(\.contentHash)
        recentRequests.store(request, tokens: messageTokens, hashes: messageHashes, counter: counting.name)
        let keys = conversationKeys(messageHashes, modeKey: modeKey(mode, counting))
        if let last = keys.last { ledger.record(last, boundary: 0, verbatimPrefix: messages.count, at: now) }
    }

    /// Which user messages a summary may shrink: those before the boundary with a later
    /// user message before it too. So the last user message never changes, and whether a
    /// message is summarised depends only on the summarised region, which stays as it is
    /// until the next re-cut.
    func summarisableUserMessages(_ messages: [ConversationMessage], boundary: Int) -> [Bool] {
        var result = [Bool](repeating: false, count: messages.count)
        var laterUser = false
        for index in stride(from: min(boundary, messages.count) - 1, through: 0, by: -1) where messages[index].role == .user {
            result[index] = laterUser
            laterUser = true
        }
        return result
    }

    func modeKey(_ mode: CompressionMode, _ counting: RequestTokenCounter) -> StableHash {
        keyBase.combined(with: StableHash(mode.rawValue + "|" + counting.name))
    }

    /// The ledger key of each prefix of the conversation, from its messages' content
    /// hashes: element i stands for its first i + 1 messages.
    func conversationKeys(_ messageHashes: [StableHash], modeKey: StableHash) -> [StableHash] {
        var keys: [StableHash] = []
        keys.reserveCapacity(messageHashes.count)
        var prefix = modeKey
        for hash in messageHashes {
            prefix = prefix.combined(with: hash)
            keys.append(prefix)
        }
        return keys
    }

    /// What the conversation's earlier forwarding binds this request to.
    struct History {
        /// The boundary the provider's cache may hold the prefix under (or, with signed
        /// thinking, that the forwarded bytes were cut at); nil when a re-cut to the
        /// deepest boundary costs nothing.
        var boundary: Int?
        /// Messages before this index go as the client sent them.
        var verbatimPrefix: Int
    }

    /// The boundary recorded for the longest part of the conversation forwarded before,
    /// unless that was longer ago than the provider keeps a cache: then nothing binds the
    /// request. Signed thinking (`pinnedPrefix` > 0) binds it whatever the cache holds,
    /// since the provider refuses a changed prefix: then the messages recorded as sent as
    /// they came go so again, and a conversation met for the first time goes as the
    /// client sent it up to `pinnedPrefix`. Without signed thinking, nothing is bound
    /// but the cache, and every message may be compressed.
    func history(_ conversationKeys: [StableHash], of request: FrontRequest, at now: ContinuousClock.Instant) -> History {
        guard let (_, entry) = ledger.latest(conversationKeys) else {
            return History(boundary: nil, verbatimPrefix: request.pinnedPrefix)
        }
        guard request.pinnedPrefix > 0 else {
            let ttl = cacheTTLSeconds(request.profile.cachePricing)
            if ttl > 0, now - entry.lastForwarded > .seconds(ttl) { return History(boundary: nil, verbatimPrefix: 0) }
            return History(boundary: entry.boundary, verbatimPrefix: 0)
        }
        return History(boundary: entry.boundary, verbatimPrefix: entry.verbatimPrefix)
    }

    /// How long a cached prefix is taken to live: the setting, or the provider's own
    /// TTL when that is longer; 0 (never taken for gone) when the setting is 0.
    func cacheTTLSeconds(_ pricing: CachePricing) -> Int {
        settings.cacheTTLSeconds == 0 ? 0 : max(settings.cacheTTLSeconds, pricing.ttlSeconds)
    }

    /// The summary boundary of this request, 0 when summaries are off for the mode.
    ///
    /// - Parameters:
    ///   - previous: the boundary the provider may have the prefix cached under; nil
    ///     when it can't have, and a re-cut to the deepest boundary costs nothing.
    ///   - pinnedPrefix: messages before it must keep their forwarded bytes. A move
    ///     re-cuts every message from `previous` on, so the boundary stays where it is
    ///     unless `previous` is at or after it.
    func summaryBoundary(
        _ conversation: Conversation, messageTokens: [Int], mode: CompressionMode, previous: Int?, pricing: CachePricing = .openAI,
        pinnedPrefix: Int = 0
    ) -> Int {
        guard summarizer != nil, settings.summaries.allows(mode) else { return 0 }
        let roles = conversation.messages.map(\.role)
        guard let previous else { return SummaryBoundary.deepest(roles: roles, recentTurns: settings.recentTurns) }
        guard previous >= pinnedPrefix else { return min(max(0, previous), roles.count) }
        return SummaryBoundary.active(
            messageTokens: messageTokens, roles: roles,
            compressible: conversation.messages.map { isCompressible($0.role) },
            step: settings.summaryStepTokens, recentTurns: settings.recentTurns, requiredPayoff: settings.summaryPayoff,
            from: previous, pricing: pricing)
    }

    /// The tokens of a message's string content, from its count (`tokens`): a message
    /// count adds up its members, so the content's share is the message less the message
    /// without it (whose other members are a few tokens to count). Saves a tokenizer pass
    /// over every block.
    func contentTokens(_ message: JSONValue, _ tokens: Int, _ counting: RequestTokenCounter, profile: FrontProfile) -> Int? {
        guard case .object(var bare) = message, case .string(let text)? = bare["content"], !text.isEmpty else { return nil }
        bare["content"] = .string("")
        return tokens - counting.message(.object(bare), of: profile)
    }

    /// Whether the pipeline may rewrite a message's text at all.
    func isCompressible(_ role: BlockRole?) -> Bool {
        switch role {
        case nil, .user?: return false
        case .system?: return !settings.keepSystemPromptVerbatim
        case .assistant?, .toolResult?: return true
        }
    }

    /// Runs the stages over one message's text blocks.
    ///
    /// A `verbatim` message goes as the client sent it: nothing rewrites it, and what
    /// later messages may refer to is its text as sent.
    func processMessage(
        _ message: ConversationMessage, index: Int, summarized: Bool, summarizesUser: Bool, verbatim: Bool = false, mode: CompressionMode,
        counter: any TokenCounter,
        knownCount: Int?, callMessageIndex: Int, prepared: [PreparedBlock]?, dedupeIndex: Deduplicator.Index,
        boilerplateIndex: BoilerplateRemover.Index,
        deadline: ContinuousClock.Instant, clock: ContinuousClock
    ) throws(PipelineError) -> MessageResult {
        var outputs: [String?] = []
        var records: [BlockRecord] = []
        var savings: [StageSavings] = []
        let compressible = isCompressible(message.role) && !verbatim
        for (blockIndex, block) in message.textBlocks.enumerated() {
            let long = block.text.utf8.count >= deduplicator.minimumCharacters
            guard compressible else {
                let summary = summarizesUser ? userSummary(block, mode: mode, counter: counter, savings: &savings) : nil
                outputs.append(summary)
                let fingerprint = long ? Deduplicator.Fingerprint(block: block, text: block.text) : nil
                // A summarised message is no longer in the request in full: no reference may point at it.
                var record = BlockRecord(
                    fullText: summary == nil ? block.text : nil, fingerprint: fingerprint,
                    paragraphs: boilerplate.paragraphHashes(summary ?? block.text))
                if !summarized, let fingerprint,
                    let source = deduplicator.lineSource(block.text, description: fingerprint.description, messageIndex: index)
                {
                    record.lineSources.append(source)
                }
                records.append(record)
                continue
            }
            let context = block.context(mode: mode)
            let ready: PreparedBlock
            if let done = prepared?[blockIndex] {
                ready = done
            } else {
                ready = try clean(
                    block, summarized: false, mode: mode, counter: counter, knownCount: knownCount, deadline: deadline, clock: clock)
            }
            var text = ready.cleaned
            // The count of the current text, when known, so a chain of stages counts
            // each intermediate text once.
            var known = ready.known
            for saving in ready.savings { add(saving, to: &savings) }
            let cleaned = text
            let fingerprint =
                cleaned.utf8.count >= deduplicator.minimumCharacters ? Deduplicator.Fingerprint(block: block, text: cleaned) : nil
            var isReference = false
            if let fingerprint,
                let reference = deduplicator.rewrite(
                    cleaned, fingerprint: fingerprint, role: block.role, index: dedupeIndex, exactOnly: summarized)
            {
                isReference = accept(
                    reference, replacing: &text, stage: Deduplicator.name, counter: counter, known: &known, savings: &savings)
            }
            if !isReference, let trimmed = boilerplate.rewrite(text, messageIndex: index, index: boilerplateIndex) {
                accept(trimmed, replacing: &text, stage: BoilerplateRemover.name, counter: counter, known: &known, savings: &savings)
            }
            if summarized, !isReference, let summarizer {
                guard clock.now <= deadline else { throw .overBudget(settings.timeBudgetMilliseconds) }
                let summary = (text == ready.cleaned ? ready.summary : nil) ?? summarizer.apply(text, context: context)
                accept(summary, replacing: &text, stage: summarizer.name, counter: counter, known: &known, savings: &savings)
            }
            outputs.append(text == block.text ? nil : text)
            // A reference target must be in the request in full. Before the boundary,
            // where only exact references are made, the cleaned text stands for the
            // block: an identical later block is summarised identically anyway.
            let full: String? = isReference ? nil : (summarized || text == cleaned ? cleaned : nil)
            var record = BlockRecord(fullText: full, fingerprint: fingerprint, paragraphs: boilerplate.paragraphHashes(text))
            // Runs are found only after the boundary (before it, only exact references).
            if !summarized {
                if let full, let fingerprint,
                    let source = deduplicator.lineSource(full, description: fingerprint.description, messageIndex: index)
                {
                    record.lineSources.append(source)
                }
                record.lineSources += deduplicator.argumentSources(of: block, callMessageIndex: callMessageIndex)
            }
            records.append(record)
        }
        return MessageResult(outputs: outputs, savings: savings, records: records)
    }

    /// The summary of an old user message's text block, when it is long enough and the
    /// summary pays (a pasted file or log shrinks; the user's own sentences, questions and
    /// facts stay). User messages get nothing else: the lossless stages would change one
    /// once it is no longer last, and so the prefix the provider cached with it; a summary
    /// happens only before the boundary, at a re-cut, where the prefix changes anyway.
    func userSummary(_ block: TextBlock, mode: CompressionMode, counter: any TokenCounter, savings: inout [StageSavings]) -> String? {
        guard let summarizer else { return nil }
        var text = block.text
        var known: (text: String, count: Int)?
        let summary = summarizer.apply(text, context: block.context(mode: mode))
        return accept(summary, replacing: &text, stage: summarizer.name, counter: counter, known: &known, savings: &savings) ? text : nil
    }

    /// Takes a stage's output when it saves tokens and leaves something, recording the
    /// exact tokens before and after; a stage that saves nothing leaves the text alone.
    @discardableResult
    func accept(
        _ output: String, replacing text: inout String, stage: String, counter: any TokenCounter,
        known: inout (text: String, count: Int)?, savings: inout [StageSavings]
    ) -> Bool {
        guard output != text, !output.isEmpty else { return false }
        let before = known?.text == text ? known!.count : counter.count(text)
        let after = counter.count(output)
        guard after < before else { return false }
        known = (output, after)
        add(StageSavings(stage: stage, tokensBefore: before, tokensAfter: after), to: &savings)
        text = output
        return true
    }

    /// Adds a stage's tokens before and after to its entry in `savings`.
    func add(_ saving: StageSavings, to savings: inout [StageSavings]) {
        if let position = savings.firstIndex(where: { $0.stage == saving.stage }) {
            savings[position].tokensBefore += saving.tokensBefore
            savings[position].tokensAfter += saving.tokensAfter
        } else {
            savings.append(saving)
        }
    }
}
