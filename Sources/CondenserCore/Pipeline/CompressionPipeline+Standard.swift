extension CompressionPipeline {
    /// The per-block stages in the order they run. Escapes and carriage-return redraws
    /// go first, since they hide the lines the other stages look at; passing tests go
    /// before repeats and folds, which would otherwise spend markers on them; whitespace
    /// next, to tidy what the others leave; the folds (unittest names, shared prefixes)
    /// last, on lines already trimmed and dedented (a marker line would stop the dedent).
    static func standardStages() -> [any TextStage] {
        [
            AnsiEscapeStripper(), ProgressBarCollapser(), HTMLToText(), JSONMinifier(), PassingTestPruner(), RepeatedLineCollapser(),
            WhitespaceNormalizer(), UnittestNameFolder(), SharedPrefixFolder(),
        ]
    }

    /// The pipeline as the proxy runs it: the standard stages, and exact counts in each
    /// request model's encoding, with count caches.
    package static func standard(
        settings: PipelineSettings, warn: @escaping @Sendable (String) -> Void = CompressionPipeline.printWarning
    ) -> CompressionPipeline {
        let counters = RequestTokenCounters()
        return CompressionPipeline(settings: settings, stages: standardStages(), summarizer: OldTurnSummarizer(), warn: warn) { model in
            try counters.counter(for: TokenEncoding.forModel(model))
        }
    }
}
