extension BilledUsage {
    /// From a Responses API `usage` object (a JSON answer's, or the `response.usage` of a
    /// stream's `response.completed` event): `input_tokens`, and
    /// `input_tokens_details.cached_tokens` as cache reads. OpenAI bills no cache writes,
    /// so they stay nil. Nil without an `input_tokens` count.
    package init?(responsesUsage usage: JSONObject) {
        guard let input = Self.responsesCount(usage["input_tokens"]) else { return nil }
        self.init(
            inputTokens: input, cacheReadTokens: Self.responsesCount(usage["input_tokens_details"]?.objectValue?["cached_tokens"]),
            cacheWriteTokens: nil)
    }

    private static func responsesCount(_ value: JSONValue?) -> Int? {
        guard let count = value?.intValue, count >= 0 else { return nil }
        return count
    }
}
