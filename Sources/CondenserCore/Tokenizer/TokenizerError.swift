/// Why a tokenizer could not be made. Loading never traps: the daemon falls back instead.
public struct TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
