import ArgumentParser

/// The one executable: the daemon and its tools.
@main
struct Condenser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "condenser",
        abstract: "A local prompt-compression proxy for OpenAI-compatible APIs.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, ReportCommand.self, CompressCommand.self, BenchCommand.self,
            CheckConfigCommand.self, TokensCommand.self, InstallCommand.self,
        ]
    )
}
