import ArgumentParser

// Placeholder until its owner lands the real command.
struct BenchProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "proxy", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'proxy' is not built yet") }
}
