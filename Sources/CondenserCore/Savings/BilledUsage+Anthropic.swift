extension BilledUsage {
    /// From an Anthropic `usage` object: `input_tokens` (uncached only),
    /// `cache_read_input_tokens` and `cache_creation_input_tokens`, which Anthropic bills
    /// beside it, so the billed input is their sum. Nil without an `input_tokens` count.
    package init?(anthropicUsage usage: JSONObject) {
        guard let uncached = Self.anthropicCount(usage["input_tokens"]) else { return nil }
        let read = Self.anthropicCount(usage["cache_read_input_tokens"])
        let written = Self.anthropicCount(usage["cache_creation_input_tokens"])
        self.init(inputTokens: uncached + (read ?? 0) + (written ?? 0), cacheReadTokens: read, cacheWriteTokens: written)
    }

    private static func anthropicCount(_ value: JSONValue?) -> Int? {
        guard let count = value?.intValue, count >= 0 else { return nil }
        return count
    }
}
