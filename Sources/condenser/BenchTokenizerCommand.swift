import ArgumentParser
import CondenserBench

/// `condenser bench tokenizer`: tokenizer throughput on real text, next to tiktoken's.
struct BenchTokenizerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Measure tokenizer speed on the message texts of a corpus, and compare with tiktoken.",
        discussion: """
            Single-threaded. Prints load time, MB/s and tokens/s for o200k_base and cl100k_base, a 1 MB \
            run of one letter, and a ~100k-token request counted cold and warm. Then runs \
            scripts/tiktoken_bench.py on the same texts (needs `pip install tiktoken`) and prints the ratio. \
            Times are wall clock, with the thread's CPU time in brackets: on a busy machine the CPU time \
            is the steadier figure.
            """
    )

    @Option(help: "A JSONL file of {\"request\": {chat request}} lines.")
    var corpus = "../shared/corpus/dev.jsonl"

    @Option(help: "The tiktoken comparison script.")
    var script = "scripts/tiktoken_bench.py"

    @Option(help: "The Python interpreter for the comparison.")
    var python = "python3"

    @Option(help: "Seconds to spend on each throughput measurement.")
    var seconds = 2.0

    @Flag(help: "Print the figures as a Markdown section (for docs/BENCHMARKS.md).")
    var markdown = false

    func run() async throws {
        var bench = TokenizerBench()
        bench.corpus = corpus
        bench.script = script
        bench.python = python
        bench.seconds = seconds
        var figures: [TokenizerBench.Figure] = []
        do {
            try bench.run { figure in
                if markdown { figures.append(figure) } else { print(figure.line) }
            }
        } catch let error as BenchError {
            throw ValidationError(error.description)
        }
        if markdown {
            print(TokenizerBench.markdownSection(figures, command: reproducingCommand(), machine: .current()).render(), terminator: "")
        }
    }
}
