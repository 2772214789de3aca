import CondenserTestSupport
import Foundation
import Testing

/// The built daemon with few descriptors, run out of them by open connections: it must
/// not spin on `accept`, must say so once, must keep its listener, and must serve again
/// once the connections close.
@Suite struct AcceptBackoffTests {
    /// User plus system CPU time of `pid` so far, from /proc/PID/stat.
    static func cpuTime(of pid: Int32) -> Duration? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return .milliseconds((user + system) * 1000 / ticks)
    }

    @Test func runningOutOfDescriptorsNeitherSpinsNorStopsTheListener() async throws {
        guard let binary = SocketActivationTests.binary else {
            print("skipped: build condenser first (swift build)")
            return
        }
        let prlimit = "/usr/bin/prlimit"
        guard FileManager.default.isExecutableFile(atPath: prlimit) else {
            print("skipped: prlimit (util-linux) is not installed")
            return
        }
        let asNobody = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] : []
        let port = try freePort()
        let config = try CondenserDaemonTests.configFile("")
        let log = NSTemporaryDirectory() + "condenser-emfile-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: config)
            try? FileManager.default.removeItem(atPath: log)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prlimit)
        process.arguments = ["--nofile=64:64"] + asNobody + [binary, "serve", "--config", config, "--listen", "127.0.0.1:\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await CondenserDaemonTests.waitUntilServing(port: port)

        // More connections than the daemon has descriptors; the kernel queues the rest.
        var flood: [RawConnection] = []
        for _ in 0..<100 {
            guard let connection = RawConnection(port: port) else { break }
            flood.append(connection)
        }
        #expect(flood.count == 100, "the test could open only \(flood.count) connections")
        try await Task.sleep(for: .milliseconds(500))

        let pid = process.processIdentifier
        let before = try #require(Self.cpuTime(of: pid))
        try await Task.sleep(for: .seconds(2))
        let after = try #require(Self.cpuTime(of: pid))
        print("daemon CPU time while out of descriptors: \(after - before) in 2 s")
        // Spinning, it takes a whole core, or on a busy machine its share of one (0.44 s in
        // 2 s was measured on a loaded 2-core machine); backing off, about nothing.
        #expect(after - before < .milliseconds(200), "the daemon used \(after - before) of CPU in 2 s while out of descriptors")
        #expect(process.isRunning, "the listener must survive running out of descriptors")

        flood.removeAll()
        var status = 0
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while status != 200, clock.now < deadline {
            status = RawHTTP.status(
                of: await RawHTTP.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", timeoutSeconds: 1))
            if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(status == 200, "the daemon should serve again once the connections closed")
        #expect(process.isRunning)

        await process.stop()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(text.components(separatedBy: "Cannot accept connections").count == 2, "logged once at error:\n\(text.suffix(2000))")
        #expect(text.contains("Accepting connections again"), "\(text.suffix(2000))")
        #expect(text.contains("descriptor limit is below what limits.max_connections needs"), "\(text.prefix(2000))")
    }

    /// The soft limit a shell or systemd starts with (often 1024) is raised to the hard one.
    @Test func theDaemonRaisesItsSoftDescriptorLimitToTheHardOne() async throws {
        guard let binary = SocketActivationTests.binary, FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            print("skipped: needs the built condenser and prlimit")
            return
        }
        let port = try freePort()
        let config = try CondenserDaemonTests.configFile("")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let process = try CondenserDaemonTests.start(
            ["/usr/bin/prlimit", "--nofile=256:8192", binary, "serve", "--config", config, "--listen", "127.0.0.1:\(port)"])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await CondenserDaemonTests.waitUntilServing(port: port)
        let limits = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8)) ?? ""
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
        #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(2) == ["8192", "8192"], "\(line)")
        await process.stop()
    }
}
