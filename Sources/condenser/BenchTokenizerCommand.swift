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
            scripts/tiktoken_bench.py on the same texts (needs `pip install tiktoken`) and prints the ratio.
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

        var swiftSpeeds: [TokenEncoding: Double] = [:]
        var swiftTokens: [TokenEncoding: Int] = [:]
        for encoding in TokenEncoding.allCases {
            let clock = ContinuousClock()
            let start = clock.now
            let tokenizer = try Tokenizer.shared(encoding)
            let load = clock.now - start
            var tokens = 0
            for text in texts { tokens += tokenizer.count(text) }  // warm-up, and the total
            let (rounds, elapsed) = Self.repeatFor(seconds) {
                var total = 0
                for text in texts { total += tokenizer.count(text) }
                precondition(total == tokens)
            }
            let speed = megabytes * Double(rounds) / elapsed
            swiftSpeeds[encoding] = speed
            swiftTokens[encoding] = tokens
            print("\(encoding.rawValue): load \(Self.milliseconds(load)) ms; \(Self.format(speed, 2)) MB/s, "
                + "\(Self.format(Double(tokens * rounds) / elapsed / 1_000_000, 2)) M tokens/s (\(tokens) tokens)")

            let run = String(repeating: "a", count: 1 << 20)
            let runStart = clock.now
            let runTokens = tokenizer.count(run)
            print("  1 MB run of one letter: \(Self.milliseconds(clock.now - runStart)) ms (\(runTokens) tokens)")
        }

        try benchRequest(requests)
        compareWithTiktoken(texts: texts, megabytes: megabytes, swiftSpeeds: swiftSpeeds, swiftTokens: swiftTokens)
    }

    /// Counts a request of about 100k tokens with an empty cache, then again.
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
        let counter = ChatTokenCounter(tokenizer: tokenizer)
        let clock = ContinuousClock()
        var start = clock.now
        let cold = counter.count(request)
        let coldTime = clock.now - start
        start = clock.now
        let warm = counter.count(request)
        let warmTime = clock.now - start
        precondition(cold == warm)
        print("request of \(messages.count) messages, \(cold) tokens (o200k_base): cold \(Self.milliseconds(coldTime)) ms, warm \(Self.milliseconds(warmTime)) ms")
    }

    private func compareWithTiktoken(texts: [String], megabytes: Double, swiftSpeeds: [TokenEncoding: Double], swiftTokens: [TokenEncoding: Int]) {
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
                  let speed = result["mb_per_s"]?.doubleValue, let swift = swiftSpeeds[encoding] else { continue }
            let tokens = result["tokens"]?.intValue ?? -1
            let same = tokens == swiftTokens[encoding] ? "same token total" : "TOKEN TOTALS DIFFER (\(tokens) vs \(swiftTokens[encoding] ?? 0))"
            print("tiktoken \(version) \(encoding.rawValue): \(Self.format(speed, 2)) MB/s; Condenser is \(Self.format(swift / speed, 2))x as fast; \(same)")
        }
    }

    /// The requests of a JSONL corpus whose lines hold a `request` (or are one).
    static func requests(in data: Data) -> [ChatRequest] {
        data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let value = try? JSONParser.parse(bytes: line) else { return nil }
            return try? ChatRequest.validate(value.objectValue?["request"] ?? value)
        }
    }

    /// Runs `body` until `seconds` have passed (at least once); returns rounds and seconds.
    static func repeatFor(_ seconds: Double, _ body: () -> Void) -> (Int, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        var rounds = 0
        var elapsed = 0.0
        repeat {
            body()
            rounds += 1
            elapsed = Self.seconds(clock.now - start)
        } while elapsed < seconds
        return (rounds, elapsed)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func milliseconds(_ duration: Duration) -> String { format(seconds(duration) * 1000, 1) }

    static func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
}
