import ArgumentParser
import CondenserCore
import Foundation

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

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: corpus) else {
            throw ValidationError("Cannot read the corpus at \(corpus); give its path with --corpus.")
        }
        let requests = Self.requests(in: data)
        let texts = requests.flatMap { $0.messages.compactMap(\.content.text) }
        let megabytes = Double(texts.reduce(0) { $0 + $1.utf8.count }) / 1_000_000
        print("corpus: \(corpus): \(requests.count) requests, \(texts.count) message texts, \(Self.format(megabytes, 2)) MB")

        var swiftSpeeds: [TokenEncoding: Speed] = [:]
        var swiftTokens: [TokenEncoding: Int] = [:]
        for encoding in TokenEncoding.allCases {
            let (tokenizer, load) = try Self.measure { try Tokenizer.shared(encoding) }
            var tokens = 0
            for text in texts { tokens += tokenizer.count(text) }  // warm-up, and the total
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
            print("\(encoding.rawValue): load \(load.milliseconds) ms; \(speed.text) MB/s; \(tokenRate.text) M tokens/s (\(tokens) tokens)")

            let run = String(repeating: "a", count: 1 << 20)
            let (runTokens, runTime) = Self.measure { tokenizer.withEmptyCaches().count(run) }
            print("  1 MB run of one letter: \(runTime.milliseconds) ms (\(runTokens) tokens)")
        }

        try benchRequest(requests)
        compareWithTiktoken(texts: texts, megabytes: megabytes, swiftSpeeds: swiftSpeeds, swiftTokens: swiftTokens)
    }

    /// Counts a request of about 100k tokens with empty caches, then again.
    private func benchRequest(_ requests: [ChatRequest]) throws {
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
        print("request of \(messages.count) messages, \(cold) tokens (o200k_base): cold \(coldTime.milliseconds) ms, warm \(warmTime.milliseconds) ms")
    }

    private func compareWithTiktoken(texts: [String], megabytes: Double, swiftSpeeds: [TokenEncoding: Speed], swiftTokens: [TokenEncoding: Int]) {
        guard FileManager.default.fileExists(atPath: script) else {
            print("tiktoken: skipped, \(script) not found (run from the repository root)")
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
            print("tiktoken: skipped, could not run \(python) \(script): \(error)")
            return
        }
        guard let report = try? JSONParser.parse(bytes: [UInt8](output)).objectValue else {
            print("tiktoken: skipped, the script printed no report")
            return
        }
        if let problem = report["error"]?.stringValue {
            print("tiktoken: skipped, \(problem)")
            return
        }
        let version = report["tiktoken"]?.stringValue ?? "?"
        for encoding in TokenEncoding.allCases {
            guard let result = report["encodings"]?.objectValue?[encoding.rawValue]?.objectValue,
                  let wall = result["mb_per_s"]?.doubleValue, let cpu = result["mb_per_cpu_s"]?.doubleValue,
                  let swift = swiftSpeeds[encoding] else { continue }
            let speed = Speed(wall: wall, cpu: cpu)
            let ratio = Speed(wall: swift.wall / wall, cpu: swift.cpu / cpu)
            let tokens = result["tokens"]?.intValue ?? -1
            let same = tokens == swiftTokens[encoding] ? "same token total" : "TOKEN TOTALS DIFFER (\(tokens) vs \(swiftTokens[encoding] ?? 0))"
            print("tiktoken \(version) \(encoding.rawValue): \(speed.text) MB/s; Condenser is \(ratio.text)x as fast; \(same)")
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
        var text: String { "\(BenchTokenizerCommand.format(wall, 2)) [\(BenchTokenizerCommand.format(cpu, 2))]" }
    }

    struct Elapsed {
        var wall: Double
        var cpu: Double
        var milliseconds: String { "\(BenchTokenizerCommand.format(wall * 1000, 1)) [\(BenchTokenizerCommand.format(cpu * 1000, 1))]" }
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
