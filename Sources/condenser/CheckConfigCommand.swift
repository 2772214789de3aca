import ArgumentParser

// Placeholder until its owner lands the real command.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'check-config' is not built yet") }
}
