/// Tokens one stage removed from a request.
public struct StageSavings: Sendable, Hashable, Codable {
    /// The stage's stable name, as it appears in records and reports (`whitespace`, `dedupe`).
    public var stage: String
    public var tokensBefore: Int
    public var tokensAfter: Int

    public init(stage: String, tokensBefore: Int, tokensAfter: Int) {
        self.stage = stage
        self.tokensBefore = tokensBefore
        self.tokensAfter = tokensAfter
    }

    public var tokensSaved: Int { tokensBefore - tokensAfter }
}
