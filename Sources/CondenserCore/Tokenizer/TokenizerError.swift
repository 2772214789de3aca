/// Why a tokenizer could not be made. Loading never traps: the daemon falls back instead.
package struct TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}
