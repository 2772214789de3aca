import ArgumentParser

// Placeholder until its owner lands the real command.
struct CompressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compress", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'compress' is not built yet") }
}
