import ArgumentParser
import CondenserBench
import Foundation

/// `condenser bench proxy`: what the proxy adds over calling the upstream directly.
struct BenchProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract:
            "Measure the latency, streaming first byte, throughput and memory the proxy adds, and stream first bytes under cold compressions.",
        discussion: """
            Starts a fake upstream and the proxy (identity pipeline) on loopback in this process, or the proxy as a \
            child `condenser serve` with --separate-process, then times the same requests sent directly and through \
            the proxy. Memory is VmRSS: of the whole benchmark in process, of the daemon alone as a child. Request \
            sizes assume about 4 bytes of text per token. Last, through a proxy that compresses (the standard \
            pipeline in process, the child as it is), the first byte of small streams with no load, then while 4 \
            clients each send one cold, compressible 100k-token agent request after another.
            """
    )

    @Flag(help: "Run the proxy as a child `condenser serve` process and measure its memory alone.")
    var separateProcess = false

    @Option(help: "Requests per size for the latency runs.")
    var iterations = 200

    @Option(help: "Concurrent clients in the throughput run.")
    var concurrency = 32

    @Option(help: "Seconds of the throughput run.")
    var seconds = 5.0

    @Option(help: "Seconds of the stream first-byte run under cold compressions.")
    var loadSeconds = 5.0

    @Flag(help: "Run only the stream first-byte measurement under cold compressions.")
    var compressionLoadOnly = false

    @Flag(help: "Print the figures as a Markdown section (for docs/BENCHMARKS.md); progress goes to stderr.")
    var markdown = false

    func run() async throws {
        var bench = ProxyBench()
        bench.separateProcess = separateProcess
        bench.iterations = iterations
        bench.concurrency = concurrency
        bench.seconds = seconds
        bench.loadSeconds = loadSeconds
        bench.compressionLoadOnly = compressionLoadOnly
        if markdown {
            bench.progress = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        }
        let report = try await bench.run()
        if markdown {
            let section = report.markdownSection(command: reproducingCommand(), machine: .current(), separateProcess: separateProcess)
            print(section.render(), terminator: "")
        } else {
            print(report.table(), terminator: "")
        }
    }
}
