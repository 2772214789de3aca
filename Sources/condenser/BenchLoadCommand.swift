import ArgumentParser
import CondenserBench

/// `condenser bench load`: the daemon under many long streams, a soak of large requests,
/// and slow clients, with the figures printed against their targets.
struct BenchLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load the daemon with concurrent streams, a soak of large requests and slow clients; print errors, latency and memory.",
        discussion: """
            Starts a fake upstream on loopback in this process and, for each part, a fresh child `condenser serve` \
            in front of it (its memory is its own: VmRSS and VmHWM from /proc). streams: concurrent SSE streams sent \
            directly to the fake upstream, then the same through the daemon; every event is checked. soak: small and \
            ~400 KB compressible chat requests at a fixed concurrency. slowloris: connections that send their headers \
            one byte a second, timed until the daemon closes them. Everything runs on 127.0.0.1 and ends by itself.
            """
    )

    @Option(help: "Run one part only: streams, soak or slowloris.")
    var only: LoadBench.Part?

    @Flag(help: "Print the results as JSON instead of a table.")
    var json = false

    @Flag(help: "Print the figures as a Markdown section (for docs/BENCHMARKS.md); progress goes to stderr.")
    var markdown = false

    @Option(help: "Concurrent streams.")
    var streams = 1_000

    @Option(help: "Seconds each stream lasts at the fake upstream.")
    var streamSeconds = 12.0

    @Option(help: "Milliseconds between two chunks of a stream.")
    var chunkIntervalMs = 100

    @Option(help: "Seconds to wait after a load before reading the daemon's memory again.")
    var settleSeconds = 60.0

    @Option(help: "Seconds of the soak.")
    var soakSeconds = 300.0

    @Option(help: "Concurrent clients in the soak.")
    var soakConcurrency = 8

    @Option(help: "Slow clients.")
    var slowClients = 200

    @Option(help: "Seconds after which a slow client still held is given up on.")
    var slowCapSeconds = 120.0

    @Option(help: "A configuration file for the daemon, used as is instead of the bench's own.")
    var daemonConfig: String?

    func validate() throws {
        guard streams > 0, streamSeconds > 0, chunkIntervalMs > 0, settleSeconds >= 0, soakSeconds > 0, soakConcurrency > 0,
            slowClients > 0, slowCapSeconds > 0
        else { throw ValidationError("counts and durations must be positive") }
    }

    func run() async throws {
        var bench = LoadBench()
        bench.only = only
        bench.streams = streams
        bench.streamSeconds = streamSeconds
        bench.chunkIntervalMs = chunkIntervalMs
        bench.settleSeconds = settleSeconds
        bench.soakSeconds = soakSeconds
        bench.soakConcurrency = soakConcurrency
        bench.slowClients = slowClients
        bench.slowCapSeconds = slowCapSeconds
        bench.daemonConfig = daemonConfig
        bench.progressOnStandardError = json || markdown
        let report = try await bench.run()
        if markdown {
            print(report.markdownSection(command: reproducingCommand(), machine: .current()).render(), terminator: "")
        } else if json {
            print(try report.json())
        } else {
            print("")
            print(report.table(), terminator: "")
        }
    }
}

extension LoadBench.Part: ExpressibleByArgument {}
