/// Counts the tokens of a plain text, as one encoding's tokenizer would.
package protocol TokenCounter: Sendable {
    func count(_ text: String) -> Int
}
