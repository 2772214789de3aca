import ArgumentParser

// Placeholder until its owner lands the real command.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'tokens' is not built yet") }
}
