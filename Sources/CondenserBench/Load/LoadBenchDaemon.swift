import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A child `condenser serve` (this executable) for `condenser bench load`, on a free
/// loopback port with its own configuration file; its stdout and stderr go to a log file
/// that is kept for reading afterwards.
///
/// Unchecked: `Process` is not Sendable, and other tasks only read its pid and whether it runs.
final class LoadBenchDaemon: @unchecked Sendable {
    let process: Process
    let port: Int
    let configText: String
    let configPath: String
    let logPath: String

    init(configText: String, upstreamPort: Int, name: String) throws {
        let probe = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        port = probe.localAddress?.port ?? 0
        try probe.close().wait()
        let directory = FileManager.default.temporaryDirectory
        configPath = directory.appendingPathComponent("condenser-bench-load-\(getpid())-\(name).toml").path
        logPath = directory.appendingPathComponent("condenser-bench-load-\(getpid())-\(name).log").path
        self.configText = configText
        _ = FileManager.default.createFile(atPath: configPath, contents: Data(configText.utf8))
        _ = FileManager.default.createFile(atPath: logPath, contents: Data())
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [
            "serve", "--config", configPath, "--listen", "127.0.0.1:\(port)", "--upstream", "http://127.0.0.1:\(upstreamPort)/v1",
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Waits until it answers /healthz, sends a few small requests so that its memory is
    /// that of a daemon which has served, and lets it settle a second.
    func warmUp(client: HTTPClient) async throws {
        try await ProxyBench.waitUntilServing(client: client, port: port)
        for _ in 0..<5 {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: ProxyBench.chatBody(tokens: 200, stream: false)))
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1024 * 1024)
        }
        try await Task.sleep(for: .seconds(1))
    }

    /// VmRSS and VmHWM (the peak since it started), in KiB; 0 once it has exited.
    func memory() -> (rssKiB: Int, hwmKiB: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }

    /// The highest VmRSS seen, sampled every 100 ms until the task is cancelled.
    func monitorPeak() -> Task<Int, Never> {
        Task {
            var peak = memory().rssKiB
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                peak = max(peak, memory().rssKiB)
            }
            return peak
        }
    }

    /// Its descriptor limit, from /proc/PID/limits.
    func descriptorLimit() -> String {
        guard let limits = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8),
            let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return "unknown" }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.map(String.init) ?? "unknown"
    }

    /// How much it logged, how much of that at error or above, and the first such line.
    func logSummary() -> LogSummary {
        let lines = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n")
        let errors = lines.filter { $0.contains(" error ") || $0.contains(" critical ") }
        return LogSummary(
            path: logPath, lines: lines.count, errorLines: errors.count, firstError: errors.first.map { String($0.prefix(300)) },
            descriptorLimit: descriptorLimit()
        )
    }

    struct LogSummary: Codable, Sendable {
        var path: String
        var lines: Int
        var errorLines: Int
        var firstError: String?
        var descriptorLimit: String
    }

    /// SIGTERM, then SIGKILL if it has not exited within five seconds.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning {
            usleep(100_000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: configPath)
    }
}

/// What became of one slow client.
struct SlowOutcome: Sendable {
    /// How long the daemon kept the connection open; nil if it still was at the cap.
    var held: Duration?
    var connectError: String?
    /// The first line the daemon sent before closing, if any.
    var answer: String?
}

/// A client that sends a request's headers one byte a second and never ends them.
enum SlowClient {
    static func hold(port: Int, cap: Duration) async -> SlowOutcome {
        let recorder = FirstLineRecorder()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { $0.pipeline.addHandler(recorder) }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            return SlowOutcome(connectError: "\(error)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let head = Array("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ".utf8)
        let writer = Task {
            var index = 0
            while !Task.isCancelled {
                let byte = index < head.count ? head[index] : UInt8(ascii: "a")
                do {
                    try await channel.writeAndFlush(ByteBuffer(bytes: [byte]))
                } catch {
                    return
                }
                index += 1
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let closedByServer = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await channel.closeFuture.get()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: cap)
                return false
            }
            let first = await group.next() ?? false
            if !first { try? await channel.close() }
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        let held = clock.now - start
        writer.cancel()
        return SlowOutcome(held: closedByServer ? held : nil, answer: recorder.firstLine())
    }
}

/// Keeps the first line of what the server sent.
private final class FirstLineRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let bytes = Mutex<[UInt8]>([])

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytes.withLock { bytes in
            if bytes.count < 200 { bytes += buffer.readableBytesView.prefix(200 - bytes.count) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func firstLine() -> String? {
        let bytes = self.bytes.withLock { $0 }
        guard !bytes.isEmpty else { return nil }
        return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}
