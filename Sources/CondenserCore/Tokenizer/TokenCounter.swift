/// Counts the tokens of a plain text, as one encoding's tokenizer would.
public protocol TokenCounter: Sendable {
    func count(_ text: String) -> Int
}
