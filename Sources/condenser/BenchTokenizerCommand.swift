import ArgumentParser

// Placeholder until its owner lands the real command.
struct BenchTokenizerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenizer", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'tokenizer' is not built yet") }
}
