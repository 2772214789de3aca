/// How the compression pipeline behaves. Every field has a default that suits coding
/// agents and chats; `validate()` says which field is wrong and why.
///
/// Proposed configuration keys (TOML, section `[compression]`):
///
/// | key | field |
/// | --- | --- |
/// | `mode` | `mode` (`off`, `safe`, `aggressive`) |
/// | `min_tokens` | `minimumTokens` |
/// | `recent_turns` | `recentTurns` |
/// | `time_budget_ms` | `timeBudgetMilliseconds` |
/// | `keep_system_prompt` | `keepSystemPromptVerbatim` |
/// | `keep_tool_definitions` | `keepToolDefinitionsVerbatim` |
/// | `summaries` | `summaries` |
/// | `summary_step_tokens` | `summaryStepTokens` |
/// | `summary_payoff` | `summaryPayoff` |
/// | `cache_ttl_seconds` | `cacheTTLSeconds` |
/// | `dedupe_min_chars` | `dedupeMinimumCharacters` |
/// | `boilerplate_min_chars` | `boilerplateMinimumCharacters` |
/// | `memo_entries` | `memoEntries` |
/// | `memo_megabytes` | `memoMegabytes` |
public struct PipelineSettings: Sendable, Hashable, Codable {
    /// The mode when a request doesn't name one (header `X-Condenser-Mode`).
    public var mode: CompressionMode = .safe
    /// Requests with fewer prompt tokens than this pass untouched: too little to save.
    public var minimumTokens: Int = 1000
    /// The recency window for summaries: the summary boundary always leaves at least
    /// this many turns after it (a turn is a user or assistant message; tool results
    /// belong to the assistant turn that called them). Messages after the boundary get
    /// only the lossless stages (whitespace, noise, boilerplate, dedupe); messages
    /// before it may also be summarised. User messages are never touched.
    ///
    /// Dev corpus, safe mode, step 4000 (agent savings / cache-aware cost, medians):
    /// 3 turns 49.5% / 0.869; 4 turns 37.4% / 0.834; 8 turns 32.7% / 0.826 (step 8000).
    /// A smaller window re-cuts with less tail to re-bill, so more re-cuts pay.
    public var recentTurns: Int = 3
    /// Compression that takes longer than this forwards the original request instead.
    /// A cold 30k-token agent request takes 6-8 ms on two cores (its counting, stages and
    /// summaries run on all cores) when a core is free, 10-12 ms on one; a new turn of a
    /// warm one 0.5-0.9 ms.
    public var timeBudgetMilliseconds: Int = 50
    /// Keep system (and developer) messages byte for byte.
    public var keepSystemPromptVerbatim: Bool = true
    /// Keep `tools` byte for byte. The pipeline never rewrites tool definitions; the
    /// setting is here so a later stage that could must ask.
    public var keepToolDefinitionsVerbatim: Bool = true
    /// Whether old turns are summarised at planned re-cuts, per mode.
    public var summaries: SummaryPolicy = .always
    /// Candidate summary boundaries sit where the conversation's cumulative tokens
    /// cross a multiple of this step, so the boundary (and with it the prompt-cache
    /// prefix) moves only after about this many new tokens. Aggressive mode uses half.
    ///
    /// Replay of the dev corpus, safe mode, payoff 1 (agent medians of savings /
    /// cache-aware cost): no summaries 19.5% / 0.824. With 4 recent turns: step 1000
    /// 40.4% / 0.861, 2000 40.4% / 0.846, 4000 37.4% / 0.834. With 3 recent turns: step
    /// 2000 47.2% / 0.871, 4000 49.5% / 0.869, 8000 40.0% / 0.857. Without the payoff
    /// rule (payoff 0, 4 turns) re-cuts cost more than they save: step 4000 gives
    /// 41.2% / 0.961, 8000 39.1% / 1.022. Hence 4000 with 3 turns and the payoff rule.
    ///
    /// Chats (1-5k tokens, a few requests each) rarely reach a candidate at 4000, so safe
    /// mode saves 0.3% of a chat (median) at cost 1.000. Smaller steps trade savings for
    /// cache cost (safe, 3 turns, chat medians, cached prefix counted in tokens): step
    /// 1000 payoff 0 15.8% / 1.114, payoff 0.5 12.2% / 1.040; step 2000 payoff 0.5 9.0% /
    /// 1.000. A summary billed at full price once costs more than its savings at a tenth
    /// of the price bring back over a chat's few later requests, so no step gives 15% at
    /// 1.0 or less; aggressive mode (stronger prose condensing) gives 17.2% / 1.009.
    public var summaryStepTokens: Int = 4000
    /// How much a re-cut must save, relative to re-billing the prefix after it, before
    /// the summary boundary moves in safe mode (see `SummaryBoundary`). Aggressive mode
    /// re-cuts at every candidate (payoff 0): the most savings, at a cache cost (dev
    /// corpus, 3 turns, step 2000: agent 52.8% at cache-aware cost 0.959, chats 17.2% at
    /// 1.009). Payoff 1.5 or 2 all but stops re-cuts in safe mode (21.5% / 0.823). The
    /// estimate behind the rule (`SummaryBoundary.summarySavedFraction`) moves the same
    /// trade: 0.7 gives 49.5% / 0.876, 0.3 gives 24.6% / 0.833.
    public var summaryPayoff: Double = 1
    /// How long a provider is taken to keep a prompt-cache prefix after its last use. A
    /// conversation idle for longer (or never forwarded by this process) can have nothing
    /// cached, so its request is summarised as deep as `recentTurns` allows, at no cache
    /// cost; later requests continue from there with planned re-cuts. OpenAI keeps
    /// prefixes 5 to 10 minutes (up to an hour off-peak), Anthropic 5 minutes by default;
    /// 600 errs towards keeping a cache that might still be there. 0: never take an
    /// idle conversation's cache for gone (one this process never forwarded still is).
    public var cacheTTLSeconds: Int = 600
    /// Blocks shorter than this many characters are never replaced by a reference.
    public var dedupeMinimumCharacters: Int = 200
    /// Paragraphs shorter than this many characters are never treated as boilerplate.
    public var boilerplateMinimumCharacters: Int = 160
    /// Bounds of the per-message memo.
    public var memoEntries: Int = 4096
    public var memoMegabytes: Int = 64

    public init() {}

    /// When summaries of old turns are allowed.
    public enum SummaryPolicy: String, Sendable, Hashable, Codable, CaseIterable {
        case never
        case aggressiveOnly = "aggressive"
        case always

        public func allows(_ mode: CompressionMode) -> Bool {
            switch self {
            case .never: return false
            case .aggressiveOnly: return mode == .aggressive
            case .always: return mode != .off
            }
        }
    }

    /// Why a settings value can't be used, naming the key.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var reason: String
        public var description: String { "compression.\(key): \(reason)" }
    }

    /// Checks every field; the first problem found, with its configuration key.
    public func validate() throws(Invalid) {
        func check(_ ok: Bool, _ key: String, _ reason: String) throws(Invalid) {
            if !ok { throw Invalid(key: key, reason: reason) }
        }
        try check(minimumTokens >= 0, "min_tokens", "must be 0 or more (got \(minimumTokens))")
        try check(recentTurns >= 1, "recent_turns", "must be at least 1, so the latest turn is never summarised (got \(recentTurns))")
        try check(
            (1...10_000).contains(timeBudgetMilliseconds), "time_budget_ms",
            "must be between 1 and 10000; longer would hold requests up (got \(timeBudgetMilliseconds))")
        try check(
            summaryStepTokens >= 1000, "summary_step_tokens",
            "must be at least 1000; smaller steps re-cut so often that the prompt cache stops paying (got \(summaryStepTokens))")
        try check(
            summaryPayoff >= 0 && summaryPayoff <= 100, "summary_payoff",
            "must be between 0 (re-cut at every step) and 100 (got \(summaryPayoff))")
        try check(
            (0...86_400).contains(cacheTTLSeconds), "cache_ttl_seconds",
            "must be between 0 (idle conversations keep their cache) and 86400 (got \(cacheTTLSeconds))")
        try check(dedupeMinimumCharacters >= 40, "dedupe_min_chars", "must be at least 40; a reference is about that long (got \(dedupeMinimumCharacters))")
        try check(
            boilerplateMinimumCharacters >= 40, "boilerplate_min_chars",
            "must be at least 40; shorter paragraphs repeat by chance (got \(boilerplateMinimumCharacters))")
        try check(memoEntries >= 16, "memo_entries", "must be at least 16 (got \(memoEntries))")
        try check((1...4096).contains(memoMegabytes), "memo_megabytes", "must be between 1 and 4096 (got \(memoMegabytes))")
    }

    /// A hash of everything that changes a message's compressed form, for memo keys.
    var fingerprint: StableHash {
        StableHash(
            "\(recentTurns)|\(keepSystemPromptVerbatim)|\(summaries.rawValue)|\(summaryStepTokens)|\(summaryPayoff)|\(dedupeMinimumCharacters)|\(boilerplateMinimumCharacters)"
        )
    }
}
