/// How the compression pipeline behaves. Every field has a default that suits coding
/// agents and chats; `validate()` says which field is wrong and why.
///
/// Each field is set by the `[compression]` key of the same meaning; the server's key
/// list (`CondenserConfiguration.Key`, in `ConfigurationKeys.swift`) names and documents them.
package struct PipelineSettings: Sendable, Hashable, Codable {
    /// The mode when a request doesn't name one (header `X-Condenser-Mode`).
    package var mode: CompressionMode = .safe
    /// Requests with fewer prompt tokens than this pass untouched: too little to save.
    package var minimumTokens: Int = 1000
    /// The recency window for summaries: the summary boundary always leaves at least
    /// this many turns after it (a turn is a user or assistant message; tool results
    /// belong to the assistant turn that called them). Messages after the boundary get
    /// only the lossless stages (whitespace, noise, boilerplate, dedupe); messages
    /// before it may also be summarised. User messages get no lossless stage; an old one
    /// is summarised only when a later user message is before the boundary too (so the
    /// last user message never changes).
    package var recentTurns: Int = 3
    /// Compression that takes longer than this forwards the original request instead.
    package var timeBudgetMilliseconds: Int = 50
    /// Keep system (and developer) messages byte for byte.
    package var keepSystemPromptVerbatim: Bool = true
    /// Whether old turns are summarised at planned re-cuts, per mode.
    package var summaries: SummaryPolicy = .always
    /// Candidate summary boundaries sit where the conversation's cumulative tokens
    /// cross a multiple of this step, so the boundary (and with it the prompt-cache
    /// prefix) moves only after about this many new tokens.
    /// Only planned re-cuts use it: a conversation the provider can't have cached is cut
    /// as deep as `recentTurns` allows (see `cacheTTLSeconds`).
    package var summaryStepTokens: Int = 4000
    /// How much a planned re-cut must save, by `SummaryBoundary`'s estimate, relative to
    /// re-billing the prefix after it, before the boundary of a cached conversation moves.
    /// Both modes weigh re-cuts alike.
    package var summaryPayoff: Double = 4
    /// How long a provider is taken to keep a prompt-cache prefix after its last use. A
    /// conversation idle for longer (or never forwarded by this process) can have nothing
    /// cached, so its request is summarised as deep as `recentTurns` allows, at no cache
    /// cost; later requests continue from there with planned re-cuts. 0: never take an
    /// idle conversation's cache for gone (one this process never forwarded still is).
    package var cacheTTLSeconds: Int = 600
    /// Blocks shorter than this many characters are never replaced by a reference.
    package var dedupeMinimumCharacters: Int = 200
    /// Paragraphs shorter than this many characters are never treated as boilerplate.
    package var boilerplateMinimumCharacters: Int = 160
    /// Bounds of the per-message memo.
    package var memoEntries: Int = 4096
    package var memoMegabytes: Int = 64
    /// Where each conversation's summary boundary and last forwarding time are kept, so
    /// that a restarted daemon forwards what it forwarded before byte for byte
    /// (`ConversationStateStore`). Nil or empty: kept in memory only. The configuration
    /// fills in the daemon's state directory when no key names one; a bare
    /// `PipelineSettings()` (tests, benches) persists nothing.
    package var stateDirectory: String?
    /// Bounds of the persisted state: its size, and the age past which a conversation's
    /// entry is dropped (its provider cache is long gone by then).
    package var stateMegabytes: Int = 8
    package var stateMaxAgeHours: Int = 24

    package init() {}

    /// When summaries of old turns are allowed.
    package enum SummaryPolicy: String, Sendable, Hashable, Codable, CaseIterable {
        case never
        case aggressiveOnly = "aggressive"
        case always

        func allows(_ mode: CompressionMode) -> Bool {
            switch self {
            case .never: return false
            case .aggressiveOnly: return mode == .aggressive
            case .always: return mode != .off
            }
        }
    }

    /// Why a settings value can't be used, naming the key.
    package struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        package var key: String
        package var reason: String
        package var description: String { "compression.\(key): \(reason)" }
    }

    /// Checks every field; the first problem found, with its configuration key.
    package func validate() throws(Invalid) {
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
        try check(
            dedupeMinimumCharacters >= 40, "dedupe_min_chars",
            "must be at least 40; a reference is about that long (got \(dedupeMinimumCharacters))")
        try check(
            boilerplateMinimumCharacters >= 40, "boilerplate_min_chars",
            "must be at least 40; shorter paragraphs repeat by chance (got \(boilerplateMinimumCharacters))")
        try check(memoEntries >= 16, "memo_entries", "must be at least 16 (got \(memoEntries))")
        try check((1...4096).contains(memoMegabytes), "memo_megabytes", "must be between 1 and 4096 (got \(memoMegabytes))")
        try check(
            stateDirectory.map { $0.isEmpty || $0.hasPrefix("/") } ?? true, "state_directory",
            "must be an absolute path, or empty to keep conversation state in memory only (got \"\(stateDirectory ?? "")\")")
        try check((1...1024).contains(stateMegabytes), "state_megabytes", "must be between 1 and 1024 (got \(stateMegabytes))")
        try check(
            (1...720).contains(stateMaxAgeHours), "state_max_age_hours", "must be between 1 and 720 (got \(stateMaxAgeHours))")
    }

    /// A hash of everything that changes a message's compressed form, for memo keys.
    var fingerprint: StableHash {
        StableHash(
            "\(recentTurns)|\(keepSystemPromptVerbatim)|\(summaries.rawValue)|\(summaryStepTokens)|\(summaryPayoff)|\(dedupeMinimumCharacters)|\(boilerplateMinimumCharacters)"
        )
    }
}
