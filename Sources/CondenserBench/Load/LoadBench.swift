import AsyncHTTPClient
import CondenserCore
import CondenserServer
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `condenser bench load`: the daemon under many long streams, a soak of large requests,
/// and slow clients. A fake upstream runs on loopback in this process and, for each
/// part, a fresh child `condenser serve` (this executable) in front of it.
package struct LoadBench: Sendable {
    package enum Part: String, CaseIterable, Sendable {
        case streams, soak, slowloris
    }

    /// Run one part only: streams, soak or slowloris.
    package var only: Part?

    /// Progress lines go to stderr, so that stdout holds the report alone (JSON, Markdown).
    package var progressOnStandardError = false

    /// Concurrent streams.
    package var streams = 1_000

    /// Seconds each stream lasts at the fake upstream.
    package var streamSeconds = 12.0

    /// Milliseconds between two chunks of a stream.
    package var chunkIntervalMs = 100

    /// Seconds to wait after a load before reading the daemon's memory again.
    package var settleSeconds = 60.0

    /// Seconds of the soak.
    package var soakSeconds = 300.0

    /// Concurrent clients in the soak.
    package var soakConcurrency = 8

    /// Slow clients.
    package var slowClients = 200

    /// Seconds after which a slow client still held is given up on.
    package var slowCapSeconds = 120.0

    /// A configuration file for the daemon, used as is instead of the bench's own.
    package var daemonConfig: String?

    package init() {}

    /// Runs the parts and returns their figures.
    package func run() async throws -> LoadReport {
        let descriptorLimit = Self.raiseDescriptorLimit()
        note("descriptor limit (this process, inherited by the daemon): \(descriptorLimit)")
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let upstream = LoadBenchUpstream(
            streamDuration: .milliseconds(Int64(streamSeconds * 1000)), chunkInterval: .milliseconds(chunkIntervalMs)
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: .init(services: [upstream.application(logger: quiet, onPort: { portContinuation.yield($0) })], logger: quiet)
        )
        var report = LoadReport(descriptorLimit: descriptorLimit)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let upstreamPort = await iterator.next() ?? 0
            var clientSettings = HTTPClient.Configuration()
            clientSettings.connectionPool = .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(streams, soakConcurrency) + 64
            )
            clientSettings.timeout = .init(connect: .seconds(30))
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientSettings)
            do {
                let parts = only.map { [$0] } ?? Part.allCases
                for part in parts {
                    switch part {
                    case .streams:
                        report.streams = try await measureStreams(client: client, upstream: upstream, upstreamPort: upstreamPort)
                    case .soak:
                        report.soak = try await measureSoak(client: client, upstream: upstream, upstreamPort: upstreamPort)
                    case .slowloris:
                        report.slowloris = try await measureSlowClients(client: client, upstreamPort: upstreamPort)
                    }
                }
            } catch {
                try? await client.shutdown()
                await group.triggerGracefulShutdown()
                throw error
            }
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        return report
    }

    /// A progress line.
    private func note(_ line: String) {
        if progressOnStandardError {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        } else {
            print(line)
            // The parts take minutes; show progress even when stdout is a file.
            fflush(nil)
        }
    }

    // MARK: streams

    private func measureStreams(client: HTTPClient, upstream: LoadBenchUpstream, upstreamPort: Int) async throws -> StreamsResult {
        let expected = Double(upstream.chunkCount) * Double(chunkIntervalMs) / 1000
        note("streams: \(streams) concurrent streams of \(upstream.chunkCount) chunks (\(expected) s), directly to the fake upstream...")
        let direct = await runStreams(client: client, port: upstreamPort, upstream: upstream, label: "direct")
        let daemon = try startDaemon(part: .streams, upstreamPort: upstreamPort)
        defer { daemon.stop() }
        try await daemon.warmUp(client: client)
        let before = daemon.memory()
        note("streams: the same through the daemon (pid \(daemon.process.processIdentifier), VmRSS \(mb(before.rssKiB)) MB)...")
        let monitor = daemon.monitorPeak()
        let proxied = await runStreams(client: client, port: daemon.port, upstream: upstream, label: "proxied")
        monitor.cancel()
        let peak = max(await monitor.value, daemon.memory().rssKiB)
        let highWater = daemon.memory().hwmKiB
        note("streams: waiting \(Int(settleSeconds)) s before reading the daemon's memory again...")
        try await Task.sleep(for: .milliseconds(Int64(settleSeconds * 1000)))
        let after = daemon.memory()
        return StreamsResult(
            streams: streams, streamSeconds: expected, direct: direct, proxied: proxied,
            rssBeforeMB: mb(before.rssKiB), peakRSSMB: mb(peak), hwmMB: mb(highWater), rssAfterMB: mb(after.rssKiB),
            settleSeconds: settleSeconds, daemonAlive: daemon.process.isRunning, daemonConfig: daemon.configText,
            daemonLog: daemon.logSummary()
        )
    }

    private func runStreams(client: HTTPClient, port: Int, upstream: LoadBenchUpstream, label: String) async -> StreamRun {
        let url = "http://127.0.0.1:\(port)/v1/chat/completions"
        let chunkCount = upstream.chunkCount
        let deadline = TimeAmount.milliseconds(Int64(streamSeconds * 2000) + 60_000)
        let clock = ContinuousClock()
        let started = clock.now
        let outcomes = await withTaskGroup(of: StreamOutcome.self) { group in
            for index in 0..<streams {
                group.addTask {
                    await Self.stream(client: client, url: url, name: "\(label)-\(index)", chunkCount: chunkCount, deadline: deadline)
                }
            }
            var outcomes: [StreamOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        return StreamRun(outcomes: outcomes, wall: durationSeconds(clock.now - started))
    }

    struct StreamOutcome: Sendable {
        var duration: Duration?
        var error: String?
        var mangledEvents = 0
        var complete = false
    }

    private static func stream(client: HTTPClient, url: String, name: String, chunkCount: Int, deadline: TimeAmount) async -> StreamOutcome
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: JSONValue = .object([
            "model": .string("bench"), "stream": .bool(true), "user": .string(name),
            "messages": .array([.object(["role": .string("user"), "content": .string("Count to \(chunkCount).")])]),
        ])
        request.body = .bytes(ByteBuffer(bytes: body.serializedBytes()))
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await client.execute(request, timeout: deadline)
            guard response.status == .ok else {
                let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
                return StreamOutcome(error: "HTTP \(response.status.code): \(errorMessage(text))")
            }
            var validator = ChunkStreamValidator(stream: name, chunkCount: chunkCount)
            for try await part in response.body {
                validator.consume(part.readableBytesView)
            }
            let complete = validator.isComplete
            return StreamOutcome(
                duration: clock.now - start, error: complete ? nil : "stream incomplete or out of order",
                mangledEvents: validator.mangledEvents, complete: complete
            )
        } catch {
            return StreamOutcome(error: "\(type(of: error)): \(error)")
        }
    }

    // MARK: soak

    private func measureSoak(client: HTTPClient, upstream: LoadBenchUpstream, upstreamPort: Int) async throws -> SoakResult {
        let daemon = try startDaemon(part: .soak, upstreamPort: upstreamPort)
        defer { daemon.stop() }
        try await daemon.warmUp(client: client)
        let before = daemon.memory()
        note(
            "soak: \(Int(soakSeconds)) s of small and ~400 KB chat requests, \(soakConcurrency) at a time, through the daemon "
                + "(pid \(daemon.process.processIdentifier), VmRSS \(mb(before.rssKiB)) MB)..."
        )
        let receivedBefore = upstream.received.withLock { $0 }
        let monitor = daemon.monitorPeak()
        let url = "http://127.0.0.1:\(daemon.port)/v1/chat/completions"
        let clock = ContinuousClock()
        let started = clock.now
        let end = started + .milliseconds(Int64(soakSeconds * 1000))
        let small = ByteBuffer(bytes: ProxyBench.chatBody(tokens: 200, stream: false))
        let outcomes = await withTaskGroup(of: [SoakOutcome].self) { group in
            for worker in 0..<soakConcurrency {
                group.addTask {
                    var outcomes: [SoakOutcome] = []
                    var sequence = 0
                    while clock.now < end {
                        // One request in four is a large one.
                        let large = (sequence + worker) % 4 == 0
                        let body = large ? ByteBuffer(bytes: Self.largeChatBody(seed: worker * 1_000_000 + sequence)) : small
                        outcomes.append(await Self.soakRequest(client: client, url: url, body: body, large: large))
                        sequence += 1
                    }
                    return outcomes
                }
            }
            var all: [SoakOutcome] = []
            for await outcomes in group { all += outcomes }
            return all
        }
        let wall = clock.now - started
        monitor.cancel()
        let peak = max(await monitor.value, daemon.memory().rssKiB)
        let highWater = daemon.memory().hwmKiB
        let receivedAfter = upstream.received.withLock { $0 }
        note("soak: waiting \(Int(settleSeconds)) s before reading the daemon's memory again...")
        try await Task.sleep(for: .milliseconds(Int64(settleSeconds * 1000)))
        let after = daemon.memory()
        return SoakResult(
            outcomes: outcomes, wall: durationSeconds(wall), concurrency: soakConcurrency,
            upstreamBytes: receivedAfter.bytes - receivedBefore.bytes,
            upstreamInvalidBodies: receivedAfter.invalidBodies - receivedBefore.invalidBodies,
            rssBeforeMB: mb(before.rssKiB), peakRSSMB: mb(peak), hwmMB: mb(highWater), rssAfterMB: mb(after.rssKiB),
            settleSeconds: settleSeconds, daemonAlive: daemon.process.isRunning, daemonLog: daemon.logSummary()
        )
    }

    struct SoakOutcome: Sendable {
        var large: Bool
        var bytes: Int
        var duration: Duration?
        var error: String?
    }

    private static func soakRequest(client: HTTPClient, url: String, body: ByteBuffer, large: Bool) async -> SoakOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        let clock = ContinuousClock()
        let start = clock.now
        var outcome = SoakOutcome(large: large, bytes: body.readableBytes)
        do {
            let response = try await client.execute(request, timeout: .seconds(120))
            let answer = try await response.body.collect(upTo: 16 * 1024 * 1024)
            if response.status != .ok {
                outcome.error = "HTTP \(response.status.code): \(errorMessage(String(buffer: answer)))"
            } else if (try? JSONParser.parse(bytes: answer.readableBytesView).objectValue?["object"]?.stringValue) != "chat.completion" {
                outcome.error = "the answer is not the upstream's completion"
            } else {
                outcome.duration = clock.now - start
            }
        } catch {
            outcome.error = "\(type(of: error)): \(error)"
        }
        return outcome
    }

    /// An agent conversation of about 400 KB: a short task, rounds of `bash` tool calls
    /// whose outputs are build logs with ANSI colours, progress lines and a warning block
    /// printed twice, and a short last user message. `seed` makes each body unique, so
    /// the daemon's memo cannot answer from an earlier request.
    static func largeChatBody(seed: Int) -> [UInt8] {
        var messages: [JSONValue] = [
            .object([
                "role": .string("system"),
                "content": .string("You are a coding agent. Use the bash tool to inspect and fix the repository."),
            ]),
            .object(["role": .string("user"), "content": .string("The parser tests fail since the last merge. Find out why and fix it.")]),
        ]
        var size = 0
        var round = 0
        while size < 390_000 {
            let call = "call_\(seed)_\(round)"
            let command = round % 2 == 0 ? "swift build 2>&1" : "swift test --filter ParserTests 2>&1"
            messages.append(
                .object([
                    "role": .string("assistant"), "content": .null,
                    "tool_calls": .array([
                        .object([
                            "id": .string(call), "type": .string("function"),
                            "function": .object(["name": .string("bash"), "arguments": .string(#"{"command":"\#(command)"}"#)]),
                        ])
                    ]),
                ]))
            let output = toolOutput(seed: seed, round: round)
            size += output.utf8.count
            messages.append(.object(["role": .string("tool"), "tool_call_id": .string(call), "content": .string(output)]))
            round += 1
        }
        messages.append(.object(["role": .string("user"), "content": .string("Which test fails first?")]))
        return JSONValue.object(["model": .string("bench"), "messages": .array(messages)]).serializedBytes()
    }

    private static func toolOutput(seed: Int, round: Int) -> String {
        let escape = "\u{1B}"
        var output = "\(escape)[1mBuilding for debugging...\(escape)[0m (run \(seed).\(round))\n"
        for step in 1...300 {
            output += "\(escape)[1m[\(step)/300] \(escape)[32mCompiling\(escape)[0m CondenserCore Module\(step % 40).swift\n"
        }
        var warning = ""
        for variable in 0..<12 {
            warning +=
                "\(escape)[1m\(escape)[35mwarning:\(escape)[0m\(escape)[1m variable 'value\(variable)' was never mutated; "
                + "consider changing to 'let' constant\(escape)[0m\n    var value\(variable) = parse(input)\n    \(escape)[32m~~~ ^\(escape)[0m\n"
        }
        output += warning + warning
        for test in 0..<400 {
            output += "Test Case '-[ParserTests.ParserTests test_\(test)_\(seed)]' passed (0.00\(test % 10) seconds).\n"
        }
        output +=
            "Test Case '-[ParserTests.ParserTests testNested_\(seed)]' failed: XCTAssertEqual failed: "
            + "(\"\(round)\") is not equal to (\"\(round + 1)\")\n"
        output += "\(escape)[31mExecuted 401 tests, with 1 failure (0 unexpected) in 0.412 seconds\(escape)[0m\n"
        return output
    }

    // MARK: slowloris

    private func measureSlowClients(client: HTTPClient, upstreamPort: Int) async throws -> SlowlorisResult {
        let daemon = try startDaemon(part: .slowloris, upstreamPort: upstreamPort)
        defer { daemon.stop() }
        try await daemon.warmUp(client: client)
        let before = daemon.memory()
        note(
            "slowloris: \(slowClients) connections sending headers one byte a second, given up on after \(Int(slowCapSeconds)) s "
                + "(daemon pid \(daemon.process.processIdentifier))..."
        )
        let cap = Duration.milliseconds(Int64(slowCapSeconds * 1000))
        let port = daemon.port
        let monitor = daemon.monitorPeak()
        // While the slow clients are connected, can anyone else still get an answer?
        let probe = Task {
            try? await Task.sleep(for: .seconds(5))
            let clock = ContinuousClock()
            let start = clock.now
            let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(10))
            return response?.status == .ok ? durationSeconds(clock.now - start) * 1000 : nil
        }
        let outcomes = await withTaskGroup(of: SlowOutcome.self) { group in
            for _ in 0..<slowClients {
                group.addTask { await SlowClient.hold(port: port, cap: cap) }
            }
            var outcomes: [SlowOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        monitor.cancel()
        let peak = max(await monitor.value, daemon.memory().rssKiB)
        return SlowlorisResult(
            outcomes: outcomes, capSeconds: slowCapSeconds, healthzMs: await probe.value, rssBeforeMB: mb(before.rssKiB),
            peakRSSMB: mb(peak), daemonAlive: daemon.process.isRunning, daemonLog: daemon.logSummary()
        )
    }

    // MARK: daemon

    /// This configuration for each part; with --daemon-config, that file instead. Keys
    /// this build does not know are left out, so the bench runs against older daemons.
    private func configText(part: Part) throws -> String {
        if let daemonConfig {
            return try String(contentsOfFile: daemonConfig, encoding: .utf8)
        }
        typealias Key = CondenserConfiguration.Key
        let top = ["log_level = \"warning\"", "shutdown_grace_seconds = 2"]
        var upstreamSection: [String] = []
        var limits: [String] = []
        // The defaults are meant to hold 1,000 concurrent streams, so they are measured as
        // they are; only a bigger run raises the connection caps, each stream needing an
        // upstream connection and a client connection.
        if part == .streams && streams > 1_000 {
            if Key(rawValue: "upstream.max_connections") != nil {
                upstreamSection.append("max_connections = \(streams + 64)")
            }
            if Key(rawValue: "limits.max_connections") != nil {
                limits.append("max_connections = \(streams * 2 + 256)")
            }
        }
        var text = top.joined(separator: "\n") + "\n"
        if !upstreamSection.isEmpty { text += "\n[upstream]\n" + upstreamSection.joined(separator: "\n") + "\n" }
        if !limits.isEmpty { text += "\n[limits]\n" + limits.joined(separator: "\n") + "\n" }
        text += "\n[compression]\nmode = \"safe\"\n"
        return text
    }

    private func startDaemon(part: Part, upstreamPort: Int) throws -> LoadBenchDaemon {
        let text = try configText(part: part)
        let daemon = try LoadBenchDaemon(configText: text, upstreamPort: upstreamPort, name: part.rawValue)
        if part == .streams || daemonConfig != nil {
            note("daemon configuration (\(part.rawValue)):\n" + text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        return daemon
    }

    /// Raises this process's soft descriptor limit to its hard limit; the daemon, spawned
    /// from it, inherits it. Returns the new soft limit.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        return Int(limit.rlim_cur)
    }
}

/// The start of an error answer's message, whatever its shape.
private func errorMessage(_ text: String) -> String {
    let message = (try? JSONParser.parse(text).objectValue?["error"]?.objectValue?["message"]?.stringValue) ?? text
    return String(message.prefix(120))
}

func durationSeconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

private func mb(_ kib: Int) -> Double {
    (Double(kib) * 1024 / 1e5).rounded() / 10
}
