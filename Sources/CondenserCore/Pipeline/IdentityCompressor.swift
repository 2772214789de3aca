/// Forwards every request unchanged, counting its tokens.
package struct IdentityCompressor: ChatCompressor {
    let countTokens: @Sendable (FrontRequest) -> Int

    package init(countTokens: @escaping @Sendable (FrontRequest) -> Int = { _ in 0 }) {
        self.countTokens = countTokens
    }

    package func compress(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome {
        let tokens = countTokens(request)
        return CompressionOutcome(body: request.body, changed: false, tokensIn: tokens, tokensOut: tokens)
    }
}
