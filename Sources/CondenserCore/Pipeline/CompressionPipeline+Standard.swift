import Synchronization

extension CompressionPipeline {
    /// The per-block stages in the order they run. Escapes and carriage-return redraws
    /// go first, since they hide the lines the other stages look at; passing tests go
    /// before repeats and folds, which would otherwise spend markers on them; whitespace
    /// next, to tidy what the others leave; the folds (unittest names, shared prefixes)
    /// last, on lines already trimmed and dedented (a marker line would stop the dedent).
    public static func standardStages() -> [any TextStage] {
        [
            AnsiEscapeStripper(), ProgressBarCollapser(), HTMLToText(), JSONMinifier(), PassingTestPruner(), RepeatedLineCollapser(),
            WhitespaceNormalizer(), UnittestNameFolder(), SharedPrefixFolder(),
        ]
    }

    /// The pipeline as the proxy runs it: the standard stages, and exact counts in each
    /// request model's encoding, with count caches.
    public static func standard(
        settings: PipelineSettings, warn: @escaping @Sendable (String) -> Void = CompressionPipeline.printWarning
    ) -> CompressionPipeline {
        let counters = EncodingCounters()
        return CompressionPipeline(settings: settings, stages: standardStages(), summarizer: OldTurnSummarizer(), warn: warn) { model in
            try counters.counter(for: TokenEncoding.forModel(model))
        }
    }
}

/// One `PipelineCounter` per encoding, made on first use (loading a rank file takes
/// tens of milliseconds, so never per request).
final class EncodingCounters: Sendable {
    private let counters = Mutex<[TokenEncoding: PipelineCounter]>([:])

    func counter(for encoding: TokenEncoding) throws -> PipelineCounter {
        if let counter = counters.withLock({ $0[encoding] }) { return counter }
        let tokenizer = try Tokenizer.shared(encoding)
        let chat = ChatTokenCounter(tokenizer: tokenizer)
        let text = CachingTokenCounter(tokenizer)
        let counter = PipelineCounter(
            name: encoding.rawValue, text: text,
            // The chat formula reads a message value as an OpenAI message (or a Responses
            // item), and the request's overhead from its tool definitions.
            overhead: { chat.overhead(ChatRequest(body: $0.body.objectValue ?? [:], messages: [])) },
            message: { value in
                // A Responses `instructions` or bare-string `input`: a message of that text.
                if case .string(let content) = value { return ChatTokenCounter.tokensPerMessage + text.count(content) }
                return chat.count(ChatMessage(object: value.objectValue ?? [:]))
            })
        return counters.withLock { counters in
            if let existing = counters[encoding] { return existing }
            counters[encoding] = counter
            return counter
        }
    }
}
