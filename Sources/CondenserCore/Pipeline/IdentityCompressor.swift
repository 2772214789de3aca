/// Forwards every request unchanged, counting its tokens.
public struct IdentityCompressor: ChatCompressor {
    let countTokens: @Sendable (FrontRequest) -> Int

    public init(countTokens: @escaping @Sendable (FrontRequest) -> Int = { _ in 0 }) {
        self.countTokens = countTokens
    }

    public func compress(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome {
        let tokens = countTokens(request)
        return CompressionOutcome(body: request.body, changed: false, tokensIn: tokens, tokensOut: tokens)
    }
}
