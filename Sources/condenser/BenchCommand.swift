import ArgumentParser

/// `condenser bench`: benchmarks that print numbers.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the proxy, the daemon under load, the tokenizer and the pipeline, and print the figures.",
        subcommands: [BenchProxyCommand.self, BenchLoadCommand.self, BenchTokenizerCommand.self, BenchCorpusCommand.self]
    )
}
