import CondenserCore

/// What the corpus bench measured for one session.
struct SessionBenchResult: Sendable, Codable {
    var id: String
    var kind: String
    /// Prompt tokens of the whole session request, before and after compression, when
    /// the pipeline meets it first (nothing of it can be in the provider's cache).
    var tokensIn = 0
    var tokensOut = 0
    /// The same request at the end of the replay, live: its prefix is cached, so only
    /// planned re-cuts have summarised it. Nil without a replay.
    var liveTokensOut: Int?
    var liveFactsKept: Int?
    var stages: [StageSavings] = []
    var failOpenReason: String?
    var factsKept = 0
    var factsTotal = 0
    /// Validity problems of the compressed whole-session request.
    var problems: [String] = []
    /// Compressed requests (replay and whole) with any validity problem.
    var invalidRequests = 0
    /// Replay: requests sent, how often a request did not start with the previous one's
    /// messages, and the cache-aware cost of both streams.
    var replayRequests = 0
    var prefixBreaks = 0
    var costCompressed = 0.0
    var costUncompressed = 0.0
    /// The same, with OpenAI's cache granularity (from 1024 tokens, in 128-token blocks).
    var blockCostCompressed = 0.0
    var blockCostUncompressed = 0.0
    /// Replay cost and prefix breaks through a pipeline that met the whole session first
    /// (a daemon that saw it before), then through the same pipeline once more (the
    /// corpus replayed twice). Compared with `costUncompressed`.
    var seenWholeCostCompressed = 0.0
    var seenWholePrefixBreaks = 0
    var replayedTwiceCostCompressed = 0.0
    var replayedTwicePrefixBreaks = 0
    /// Replay requests that went upstream differently when the pipeline was restarted
    /// (from its state directory) before each of them, than in the uninterrupted replay.
    var restartChangedRequests = 0

    init(id: String, kind: String) {
        self.id = id
        self.kind = kind
    }

    /// The fraction of tokens removed.
    var savings: Double { tokensIn > 0 ? 1 - Double(tokensOut) / Double(tokensIn) : 0 }

    /// The fraction removed from the whole request at the end of the replay.
    var liveSavings: Double? {
        guard let liveTokensOut, tokensIn > 0 else { return nil }
        return 1 - Double(liveTokensOut) / Double(tokensIn)
    }

    /// Replay cost of the compressed stream relative to the original stream.
    var effectiveCost: Double { costUncompressed > 0 ? costCompressed / costUncompressed : 1 }

    /// `effectiveCost` of the replay through a pipeline that met the whole session first.
    var seenWholeEffectiveCost: Double { costUncompressed > 0 ? seenWholeCostCompressed / costUncompressed : 1 }

    /// `effectiveCost` of the second replay through that pipeline.
    var replayedTwiceEffectiveCost: Double { costUncompressed > 0 ? replayedTwiceCostCompressed / costUncompressed : 1 }

    /// `effectiveCost` with OpenAI's cache granularity.
    var blockEffectiveCost: Double { blockCostUncompressed > 0 ? blockCostCompressed / blockCostUncompressed : 1 }
}
