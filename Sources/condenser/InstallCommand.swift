import ArgumentParser

// Placeholder until its owner lands the real command.
struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'install' is not built yet") }
}
