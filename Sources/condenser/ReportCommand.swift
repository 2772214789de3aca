import ArgumentParser

// Placeholder until its owner lands the real command.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'report' is not built yet") }
}
