/// Tokens one stage removed from a request.
package struct StageSavings: Sendable, Hashable, Codable {
    /// The stage's stable name, as it appears in records and reports (`whitespace`, `dedupe`).
    package var stage: String
    package var tokensBefore: Int
    package var tokensAfter: Int

    package init(stage: String, tokensBefore: Int, tokensAfter: Int) {
        self.stage = stage
        self.tokensBefore = tokensBefore
        self.tokensAfter = tokensAfter
    }

    package var tokensSaved: Int { tokensBefore - tokensAfter }
}
