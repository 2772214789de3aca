import AsyncHTTPClient
import CondenserCore
import CondenserServer
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `condenser bench proxy`: what the proxy adds over calling the upstream directly.
///
/// A fake upstream and the proxy (identity pipeline) run on loopback in this process, or
/// the proxy as a child `condenser serve` (this executable) with `separateProcess`; the
/// same requests are timed sent directly and through the proxy. Last, through a proxy
/// that compresses, the first byte of small streams with no load and under cold
/// compressions.
package struct ProxyBench: Sendable {
    /// Run the proxy as a child `condenser serve` process and measure its memory alone.
    package var separateProcess = false

    /// Requests per size for the latency runs.
    package var iterations = 200

    /// Concurrent clients in the throughput run.
    package var concurrency = 32

    /// Seconds of the throughput run.
    package var seconds = 5.0

    /// Seconds of the stream first-byte run under cold compressions.
    package var loadSeconds = 5.0

    /// Run only the stream first-byte measurement under cold compressions.
    package var compressionLoadOnly = false

    /// Where progress lines go.
    package var progress: @Sendable (String) -> Void = { print($0) }

    package init() {}

    /// Measures and returns the figures.
    package func run() async throws -> ProxyBenchReport {
        var report = ProxyBenchReport()
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let (upstreamPorts, upstreamPort) = AsyncStream.makeStream(of: Int.self)
        let upstream = Application(
            responder: CallbackResponder { (request: Request, _: BasicRequestContext) in try await Self.fakeUpstream(request) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { upstreamPort.yield($0.localAddress?.port ?? 0) },
            logger: quiet
        )
        let group = ServiceGroup(configuration: .init(services: [upstream], logger: quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = upstreamPorts.makeAsyncIterator()
            let port = await ports.next() ?? 0

            var proxyGroup: ServiceGroup?
            var compressingProxyGroup: ServiceGroup?
            var child: Process?
            let proxyPortNumber: Int
            // The proxy that compresses, for the load run: the child daemon compresses.
            let compressingPortNumber: Int
            if !separateProcess {
                var settings = CondenserConfiguration()
                settings.listen = [ListenAddress(host: "127.0.0.1", port: 0)]
                settings.upstream = UpstreamURL(validating: "http://127.0.0.1:\(port)/v1")!
                let (proxyPorts, proxyPort) = AsyncStream.makeStream(of: Int.self)
                let proxy = ProxyServer(
                    store: ConfigurationStore(settings), compressor: IdentityCompressor(), logger: quiet,
                    onServing: { proxyPort.yield($0.first?.port ?? 0) }
                )
                let compressing = ProxyServer(
                    store: ConfigurationStore(settings), compressor: ReloadableCompressor(settings: settings.compression), logger: quiet,
                    onServing: { proxyPort.yield($0.first?.port ?? 0) }
                )
                let group = ServiceGroup(configuration: .init(services: [proxy], logger: quiet))
                let compressingGroup = ServiceGroup(configuration: .init(services: [compressing], logger: quiet))
                proxyGroup = group
                tasks.addTask { try await group.run() }
                var proxyIterator = proxyPorts.makeAsyncIterator()
                proxyPortNumber = await proxyIterator.next() ?? 0
                tasks.addTask { try await compressingGroup.run() }
                compressingPortNumber = await proxyIterator.next() ?? 0
                compressingProxyGroup = compressingGroup
            } else {
                (child, proxyPortNumber) = try Self.startDaemon(upstreamPort: port)
                compressingPortNumber = proxyPortNumber
            }
            let proxyPID = child?.processIdentifier ?? getpid()

            let direct = "http://127.0.0.1:\(port)/v1/chat/completions"
            let proxied = "http://127.0.0.1:\(proxyPortNumber)/v1/chat/completions"
            var clientSettings = HTTPClient.Configuration()
            clientSettings.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency * 2)
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientSettings)
            do {
                try await Self.waitUntilServing(client: client, port: proxyPortNumber)
                try await Self.waitUntilServing(client: client, port: compressingPortNumber)
                var rows: [(String, String, String, String)] = []
                if !compressionLoadOnly {
                    rows += try await measure(client: client, direct: direct, proxied: proxied, proxyPID: proxyPID)
                }
                rows += try await streamFirstByteUnderCompressionLoad(
                    client: client, proxied: "http://127.0.0.1:\(compressingPortNumber)/v1/chat/completions")
                report.rows = rows.map { [$0.0, $0.1, $0.2, $0.3] }
            } catch {
                try? await client.shutdown()
                child?.terminate()
                throw error
            }
            try await client.shutdown()
            child?.terminate()
            child?.waitUntilExit()
            await proxyGroup?.triggerGracefulShutdown()
            await compressingProxyGroup?.triggerGracefulShutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        return report
    }

    /// Starts `condenser serve` (this executable) on a free loopback port.
    static func startDaemon(upstreamPort: Int) throws -> (Process, Int) {
        let probe = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        let port = probe.localAddress?.port ?? 0
        try probe.close().wait()
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-bench-\(getpid()).toml").path
        // A bench never writes into the user's conversation state.
        _ = FileManager.default.createFile(atPath: config, contents: Data("[compression]\nstate_directory = \"\"\n".utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [
            "serve", "--config", config, "--listen", "127.0.0.1:\(port)", "--upstream", "http://127.0.0.1:\(upstreamPort)/v1",
            "--log-level", "error",
        ]
        try process.run()
        return (process, port)
    }

    static func waitUntilServing(client: HTTPClient, port: Int) async throws {
        for _ in 0..<100 {
            if let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(1)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("the proxy did not start on port \(port)")
    }

    private func measure(client: HTTPClient, direct: String, proxied: String, proxyPID: Int32) async throws -> [(
        String, String, String, String
    )] {
        var rows: [(String, String, String, String)] = []
        progress("Measuring (\(iterations) requests per size, alternating direct and proxied)...")
        for tokens in [1_000, 10_000, 100_000] {
            let body = ByteBuffer(bytes: Self.chatBody(tokens: tokens, stream: false))
            let count = tokens >= 100_000 ? max(iterations / 4, 20) : iterations
            let (directTimes, proxiedTimes) = try await latencies(
                client: client, direct: direct, proxied: proxied, body: body, count: count, firstByte: false)
            let p50 = percentile(proxiedTimes, 0.5) - percentile(directTimes, 0.5)
            let p99 = percentile(proxiedTimes, 0.99) - percentile(directTimes, 0.99)
            rows.append(
                (
                    "added latency, \(tokens / 1000)k tokens (\(body.readableBytes / 1024) KiB)",
                    "p50 \(ms(p50)), p99 \(ms(p99))",
                    "(direct p50 \(ms(percentile(directTimes, 0.5))))",
                    tokens == 10_000 ? "p50 <= 1 ms: \(p50 <= .milliseconds(1) ? "met" : "missed")" : ""
                ))
        }
        let streamBody = ByteBuffer(bytes: Self.chatBody(tokens: 1_000, stream: true))
        let (directFirst, proxiedFirst) = try await latencies(
            client: client, direct: direct, proxied: proxied, body: streamBody, count: iterations, firstByte: true
        )
        let ttfb = percentile(proxiedFirst, 0.5) - percentile(directFirst, 0.5)
        rows.append(
            (
                "stream time to first byte added",
                "p50 \(ms(ttfb)), p99 \(ms(percentile(proxiedFirst, 0.99) - percentile(directFirst, 0.99)))",
                "(direct p50 \(ms(percentile(directFirst, 0.5))))", "p50 <= 1 ms: \(ttfb <= .milliseconds(1) ? "met" : "missed")"
            ))

        let small = ByteBuffer(bytes: Self.chatBody(tokens: 100, stream: false))
        let (rate, peakRSS) = try await throughput(client: client, url: proxied, body: small, pid: proxyPID)
        let (directRate, _) = try await throughput(client: client, url: direct, body: small, pid: proxyPID)
        rows.append(
            (
                "small requests through the proxy, \(concurrency) clients", String(format: "%.0f req/s", rate),
                String(format: "(direct %.0f req/s)", directRate), ">= 2,000 req/s: \(rate >= 2000 ? "met" : "missed")"
            ))
        rows.append(
            (
                !separateProcess ? "resident memory under that load (whole benchmark)" : "proxy resident memory under that load",
                String(format: "%.1f MB", Double(peakRSS.resident) * 1024 / 1e6),
                String(format: "(VmRSS peak; anonymous %.1f MB)", Double(peakRSS.anonymous) * 1024 / 1e6),
                "<= 50 MB: \(Double(peakRSS.resident) * 1024 <= 50_000_000 ? "met" : "missed")"
            ))
        return rows
    }

    /// Times `count` requests each way, alternating, after a warm-up.
    private func latencies(
        client: HTTPClient, direct: String, proxied: String, body: ByteBuffer, count: Int, firstByte: Bool
    ) async throws -> ([Duration], [Duration]) {
        for _ in 0..<10 {
            _ = try await time(client: client, url: direct, body: body, firstByte: firstByte)
            _ = try await time(client: client, url: proxied, body: body, firstByte: firstByte)
        }
        var directTimes: [Duration] = []
        var proxiedTimes: [Duration] = []
        for _ in 0..<count {
            directTimes.append(try await time(client: client, url: direct, body: body, firstByte: firstByte))
            proxiedTimes.append(try await time(client: client, url: proxied, body: body, firstByte: firstByte))
        }
        return (directTimes, proxiedTimes)
    }

    /// One request: until the whole body is read, or until its first body bytes (the
    /// body is read to its end either way).
    func time(
        client: HTTPClient, url: String, body: ByteBuffer, firstByte: Bool, timeout: Duration = .seconds(30)
    ) async throws -> Duration {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await client.execute(request, timeout: .init(timeout))
        guard response.status == .ok else { throw BenchError("\(url) answered \(response.status)") }
        var elapsed: Duration?
        for try await _ in response.body where firstByte && elapsed == nil {
            elapsed = clock.now - start
        }
        return elapsed ?? clock.now - start
    }

    /// Requests per second with `concurrency` clients, and the peak resident memory.
    private func throughput(
        client: HTTPClient, url: String, body: ByteBuffer, pid: Int32
    ) async throws -> (Double, (resident: Int, anonymous: Int)) {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(seconds * 1000))
        let started = clock.now
        let monitor = Task {
            var peak = Self.memoryKiB(pid: pid)
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let now = Self.memoryKiB(pid: pid)
                peak = (max(peak.resident, now.resident), max(peak.anonymous, now.anonymous))
            }
            return peak
        }
        let completed = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var done = 0
                    while clock.now < end {
                        _ = try await time(client: client, url: url, body: body, firstByte: false)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = clock.now - started
        monitor.cancel()
        let peak = await monitor.value
        return (Double(completed) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18), peak)
    }

    func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
    }

    func ms(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.3f ms", seconds * 1000)
    }

    /// VmRSS and its anonymous part (RssAnon: heap and stacks, not mapped files) of a
    /// process, in KiB.
    static func memoryKiB(pid: Int32) -> (resident: Int, anonymous: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS:"), field("RssAnon:"))
    }

    /// A chat request of about `tokens` tokens of varied prose.
    static func chatBody(tokens: Int, stream: Bool) -> [UInt8] {
        let words = [
            "the", "proxy", "forwards", "each", "request", "upstream", "after", "counting", "tokens", "while", "streams",
            "relay", "chunks", "as", "they", "arrive", "and", "errors", "pass", "through", "unchanged", "to", "clients",
        ]
        var text = ""
        text.reserveCapacity(tokens * 4)
        var index = 0
        while text.utf8.count < tokens * 4 {
            text += words[index % words.count] + (index % 17 == 16 ? ".\n" : " ")
            index += 1
        }
        let body: JSONObject = [
            "model": .string("bench"),
            "stream": .bool(stream),
            "messages": .array([
                .object(["role": .string("system"), "content": .string("You are a benchmark.")]),
                .object(["role": .string("user"), "content": .string(text)]),
            ]),
        ]
        return JSONValue.object(body).serializedBytes()
    }

    static let completion = ByteBuffer(
        string:
            #"{"id":"chatcmpl-bench","object":"chat.completion","model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"#
    )

    /// Reads the body, then answers a fixed completion, or for `"stream":true` a short
    /// event stream whose first event goes out at once.
    static func fakeUpstream(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 16 * 1024 * 1024)
        let streaming = body.readableBytesView.starts(with: Array(#"{"model":"bench","stream":true"#.utf8))
        guard streaming else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: completion))
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n"))
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            }
        )
    }
}

/// The figures of `condenser bench proxy`: rows of measure, value, baseline and target.
package struct ProxyBenchReport: Sendable {
    var rows: [[String]] = []

    /// The rows in aligned columns, after a blank line.
    package func table() -> String {
        var out = "\n"
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            out += (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) + "  " }.joined() + row[3] + "\n"
        }
        return out
    }

    /// The figures as a section of docs/BENCHMARKS.md.
    package func markdownSection(command: String, machine: MachineFacts, separateProcess: Bool) -> MarkdownSection {
        MarkdownSection(
            title: "Proxy overhead" + (separateProcess ? " (the daemon as a separate process)" : ""), command: command, machine: machine,
            notes: [
                "What the proxy adds over calling a fake upstream on loopback directly, and stream first bytes through a proxy that "
                    + "compresses, with no load and under cold compressions."
            ],
            header: ["measure", "value", "baseline", "target"], rows: rows)
    }
}
