import ArgumentParser

// Placeholder until its owner lands the real command.
struct BenchCorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corpus", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'corpus' is not built yet") }
}
