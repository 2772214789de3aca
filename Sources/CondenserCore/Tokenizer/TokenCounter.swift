/// Counts the tokens of a text exactly as a provider's tokenizer would.
public protocol TokenCounter: Sendable {
    func count(_ text: String) -> Int
}
