/// What the upstream billed for a request's prompt, as its response said. Beside
/// Condenser's own counts, it shows what compressing cost or saved in caching.
package struct BilledUsage: Sendable, Hashable, Codable {
    /// Every prompt token billed: uncached, cache reads and cache writes together.
    var inputTokens: Int
    /// Of `inputTokens`, those read from the provider's prompt cache; nil when the
    /// response didn't say.
    var cacheReadTokens: Int?
    /// Of `inputTokens`, those written to the provider's prompt cache; nil when the
    /// response didn't say (OpenAI never does: it bills no cache writes).
    var cacheWriteTokens: Int?

    package init(inputTokens: Int, cacheReadTokens: Int? = nil, cacheWriteTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
    }

    /// From an OpenAI `usage` object: `prompt_tokens` and
    /// `prompt_tokens_details.cached_tokens`, and cache writes where an OpenAI-compatible
    /// provider reports them (`prompt_tokens_details.cache_write_tokens`, or
    /// `cache_creation_input_tokens` beside `prompt_tokens`). Nil without a
    /// `prompt_tokens` count.
    package init?(openAIUsage usage: JSONObject) {
        guard let input = Self.count(usage["prompt_tokens"]) else { return nil }
        let details = usage["prompt_tokens_details"]?.objectValue
        self.init(
            inputTokens: input,
            cacheReadTokens: Self.count(details?["cached_tokens"]) ?? Self.count(usage["prompt_cache_hit_tokens"]),
            cacheWriteTokens: Self.count(details?["cache_write_tokens"]) ?? Self.count(usage["cache_creation_input_tokens"])
        )
    }

    /// A token count: a non-negative integer.
    private static func count(_ value: JSONValue?) -> Int? {
        guard let count = value?.intValue, count >= 0 else { return nil }
        return count
    }
}
