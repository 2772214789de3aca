import CondenserCore
import Foundation

/// `condenser bench tokenizer`: tokenizer throughput on the message texts of a corpus,
/// single-threaded, next to tiktoken's on the same texts. Times are wall clock with the
/// thread's CPU time in brackets.
package struct TokenizerBench: Sendable {
    /// A JSONL file of {"request": {chat request}} lines.
    package var corpus = "../shared/corpus/dev.jsonl"

    /// The tiktoken comparison script.
    package var script = "scripts/tiktoken_bench.py"

    /// The Python interpreter for the comparison.
    package var python = "python3"

    /// Seconds to spend on each throughput measurement.
    package var seconds = 2.0

    package init() {}

    /// One printed line of the bench, and the table rows (measure, value) it stands for.
    package struct Figure: Sendable, Equatable {
        package var line: String
        var rows: [[String]]

        package init(line: String, rows: [[String]]) {
            self.line = line
            self.rows = rows
        }
    }

    /// Measures, handing each figure to `emit` as soon as it is known.
    package func run(emit: (Figure) -> Void) throws {
        guard let data = FileManager.default.contents(atPath: corpus) else {
            throw BenchError("Cannot read the corpus at \(corpus); give its path with --corpus.")
        }
        let requests = Self.requests(in: data)
        let texts = requests.flatMap { $0.messages.compactMap(\.content.text) }
        let megabytes = Double(texts.reduce(0) { $0 + $1.utf8.count }) / 1_000_000
        let corpusText = "\(requests.count) requests, \(texts.count) message texts, \(Self.format(megabytes, 2)) MB"
        emit(Figure(line: "corpus: \(corpus): " + corpusText, rows: [["corpus", "\(corpus): " + corpusText]]))

        var swiftSpeeds: [TokenEncoding: Speed] = [:]
        var swiftTokens: [TokenEncoding: Int] = [:]
        for encoding in TokenEncoding.allCases {
            let (tokenizer, load) = try Self.measure { try Tokenizer.shared(encoding) }
            var tokens = 0
            for text in texts { tokens += tokenizer.count(text) } // warm-up, and the total
            // Each round counts with empty caches: a text counted before is nearly free.
            let (rounds, elapsed) = Self.repeatFor(seconds) {
                let fresh = tokenizer.withEmptyCaches()
                var total = 0
                for text in texts { total += fresh.count(text) }
                precondition(total == tokens)
            }
            let speed = Speed(wall: megabytes * Double(rounds) / elapsed.wall, cpu: megabytes * Double(rounds) / elapsed.cpu)
            swiftSpeeds[encoding] = speed
            swiftTokens[encoding] = tokens
            let tokenRate = Speed(wall: Double(tokens * rounds) / elapsed.wall / 1e6, cpu: Double(tokens * rounds) / elapsed.cpu / 1e6)
            emit(
                Figure(
                    line:
                        "\(encoding.rawValue): load \(load.milliseconds) ms; \(speed.text) MB/s; \(tokenRate.text) M tokens/s (\(tokens) tokens)",
                    rows: [
                        ["\(encoding.rawValue): load", "\(load.milliseconds) ms"],
                        ["\(encoding.rawValue): throughput", "\(speed.text) MB/s, \(tokenRate.text) M tokens/s (\(tokens) tokens)"],
                    ]))

            let run = String(repeating: "a", count: 1 << 20)
            let (runTokens, runTime) = Self.measure { tokenizer.withEmptyCaches().count(run) }
            emit(
                Figure(
                    line: "  1 MB run of one letter: \(runTime.milliseconds) ms (\(runTokens) tokens)",
                    rows: [["\(encoding.rawValue): 1 MB run of one letter", "\(runTime.milliseconds) ms (\(runTokens) tokens)"]]))
        }

        try emit(benchRequest(requests))
        compareWithTiktoken(texts: texts, megabytes: megabytes, swiftSpeeds: swiftSpeeds, swiftTokens: swiftTokens, emit: emit)
    }

    /// Counts a request of about 100k tokens with empty caches, then again.
    private func benchRequest(_ requests: [ChatRequest]) throws -> Figure {
        let tokenizer = try Tokenizer.shared(.o200kBase)
        var messages: [ChatMessage] = []
        var body: JSONObject = ["model": .string("gpt-4o")]
        var approximate = 0
        for request in requests where approximate < 100_000 {
            for message in request.messages where approximate < 100_000 {
                messages.append(message)
                approximate += tokenizer.count(message.content.text ?? "")
            }
            if body["tools"] == nil, let tools = request.body["tools"] { body["tools"] = tools }
        }
        let request = ChatRequest(body: body, messages: messages)
        // Empty caches: the texts were counted above, to size the request.
        let counter = ChatTokenCounter(tokenizer: tokenizer.withEmptyCaches())
        let (cold, coldTime) = Self.measure { counter.count(request) }
        let (warm, warmTime) = Self.measure { counter.count(request) }
        precondition(cold == warm)
        return Figure(
            line:
                "request of \(messages.count) messages, \(cold) tokens (o200k_base): cold \(coldTime.milliseconds) ms, warm \(warmTime.milliseconds) ms",
            rows: [
                ["request of \(messages.count) messages, \(cold) tokens (o200k_base), counted cold", "\(coldTime.milliseconds) ms"],
                ["the same request counted warm", "\(warmTime.milliseconds) ms"],
            ])
    }

    private func compareWithTiktoken(
        texts: [String], megabytes: Double, swiftSpeeds: [TokenEncoding: Speed], swiftTokens: [TokenEncoding: Int], emit: (Figure) -> Void
    ) {
        func skipped(_ reason: String) {
            emit(Figure(line: "tiktoken: skipped, " + reason, rows: [["tiktoken", "skipped, " + reason]]))
        }
        guard FileManager.default.fileExists(atPath: script) else {
            skipped("\(script) not found (run from the repository root)")
            return
        }
        let textsFile = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-bench-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: textsFile) }
        let output: Data
        do {
            let json = JSONValue.array(texts.map { .string($0) }).serializedBytes()
            try Data(json).write(to: textsFile)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                python, script, "--texts", textsFile.path, "--seconds", String(seconds),
                "--rank-dir", "Sources/CondenserCore/Resources", "--rank-dir", "../shared/tokenizers",
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
        } catch {
            skipped("could not run \(python) \(script): \(error)")
            return
        }
        guard let report = try? JSONParser.parse(bytes: [UInt8](output)).objectValue else {
            skipped("the script printed no report")
            return
        }
        if let problem = report["error"]?.stringValue {
            skipped(problem)
            return
        }
        let version = report["tiktoken"]?.stringValue ?? "?"
        for encoding in TokenEncoding.allCases {
            guard let result = report["encodings"]?.objectValue?[encoding.rawValue]?.objectValue,
                let wall = result["mb_per_s"]?.doubleValue, let cpu = result["mb_per_cpu_s"]?.doubleValue,
                let swift = swiftSpeeds[encoding]
            else { continue }
            let speed = Speed(wall: wall, cpu: cpu)
            let ratio = Speed(wall: swift.wall / wall, cpu: swift.cpu / cpu)
            let tokens = result["tokens"]?.intValue ?? -1
            let same =
                tokens == swiftTokens[encoding] ? "same token total" : "TOKEN TOTALS DIFFER (\(tokens) vs \(swiftTokens[encoding] ?? 0))"
            emit(
                Figure(
                    line: "tiktoken \(version) \(encoding.rawValue): \(speed.text) MB/s; Condenser is \(ratio.text)x as fast; \(same)",
                    rows: [
                        [
                            "tiktoken \(version) \(encoding.rawValue): throughput",
                            "\(speed.text) MB/s; Condenser is \(ratio.text)x as fast; \(same)",
                        ]
                    ]))
        }
    }

    /// The requests of a JSONL corpus whose lines hold a `request` (or are one).
    static func requests(in data: Data) -> [ChatRequest] {
        data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let value = try? JSONParser.parse(bytes: line) else { return nil }
            return try? ChatRequest.validate(value.objectValue?["request"] ?? value)
        }
    }

    /// A wall-clock figure with its CPU-time twin.
    struct Speed {
        var wall: Double
        var cpu: Double
        var text: String { "\(TokenizerBench.format(wall, 2)) [\(TokenizerBench.format(cpu, 2))]" }
    }

    struct Elapsed {
        var wall: Double
        var cpu: Double
        var milliseconds: String { "\(TokenizerBench.format(wall * 1000, 1)) [\(TokenizerBench.format(cpu * 1000, 1))]" }
    }

    static func measure<T>(_ body: () throws -> T) rethrows -> (T, Elapsed) {
        let clock = ContinuousClock()
        let cpuStart = threadCPUTime()
        let start = clock.now
        let value = try body()
        return (value, Elapsed(wall: seconds(clock.now - start), cpu: threadCPUTime() - cpuStart))
    }

    /// Runs `body` until `seconds` of wall time have passed (at least once).
    static func repeatFor(_ seconds: Double, _ body: () -> Void) -> (Int, Elapsed) {
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = threadCPUTime()
        var rounds = 0
        var elapsed = 0.0
        repeat {
            body()
            rounds += 1
            elapsed = Self.seconds(clock.now - start)
        } while elapsed < seconds
        return (rounds, Elapsed(wall: elapsed, cpu: threadCPUTime() - cpuStart))
    }

    static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
}

extension TokenizerBench {
    /// The figures as a section of docs/BENCHMARKS.md.
    package static func markdownSection(_ figures: [Figure], command: String, machine: MachineFacts) -> MarkdownSection {
        MarkdownSection(
            title: "Tokenizer", command: command, machine: machine,
            notes: [
                "Single-threaded, on the message texts of the corpus; each throughput round starts with empty caches. "
                    + "Times are wall clock, with the thread's CPU time in brackets (the steadier figure on a busy machine)."
            ],
            header: ["measure", "value"], rows: figures.flatMap(\.rows))
    }
}
