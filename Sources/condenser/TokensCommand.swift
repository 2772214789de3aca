import ArgumentParser
import CondenserCore
import Foundation

/// `condenser tokens`: the exact token count (or ids) of standard input.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Count the tokens of standard input exactly as tiktoken does.",
        discussion: """
            Special-token look-alikes such as <|endoftext|> count as plain text, as with tiktoken's \
            encode(text, disallowed_special=()). Input that isn't valid UTF-8 is read with U+FFFD \
            in place of the invalid bytes.
            """
    )

    @Option(help: "The encoding: o200k_base or cl100k_base. Default: o200k_base, or the model's.")
    var encoding: String?

    @Option(help: "A model name (gpt-4o, openai/gpt-4, ...) whose encoding to use.")
    var model: String?

    @Flag(help: "Print the token ids, space-separated, instead of the count.")
    var ids = false

    func validate() throws {
        if encoding != nil, model != nil {
            throw ValidationError("Give --encoding or --model, not both.")
        }
        if let encoding, TokenEncoding(rawValue: encoding) == nil {
            let known = TokenEncoding.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("Unknown encoding '\(encoding)'. Known encodings: \(known).")
        }
    }

    func run() async throws {
        let chosen = encoding.flatMap(TokenEncoding.init(rawValue:)) ?? model.map { TokenEncoding.forModel($0) } ?? .o200kBase
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer.shared(chosen)
        } catch {
            FileHandle.standardError.write(Data("condenser: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let text = String(decoding: input, as: UTF8.self)
        if ids {
            print(tokenizer.encode(text).map(String.init).joined(separator: " "))
        } else {
            print(tokenizer.count(text))
        }
    }
}
