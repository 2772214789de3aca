import AsyncHTTPClient
import CondenserTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The built `condenser serve`, started the way systemd starts it.
@Suite struct SocketActivationTests {
    /// `.build/debug/condenser` (or the one next to the test bundle), if built.
    static var binary: String? {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("condenser").path,
            repo.appendingPathComponent(".build/debug/condenser").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let socketActivate = "/usr/bin/systemd-socket-activate"
    /// For systemd-socket-activate's `-E`: a daemon a test starts never writes into the user's state directory.
    static let stateInMemory = "CONDENSER_COMPRESSION_STATE_DIRECTORY="

    @Test func systemdSocketActivateLaunchesTheDaemon() async throws {
        guard let binary = Self.binary else {
            print("skipped: build condenser first (swift build)")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: Self.socketActivate) else {
            print("skipped: systemd-socket-activate is not installed")
            return
        }
        try await TestUpstream.run { upstream, upstreamPort in
            let port = try freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.socketActivate)
            // systemd-socket-activate passes on only the variables -E names.
            process.arguments = [
                "-l", "127.0.0.1:\(port)", "-E", Self.stateInMemory, binary, "serve", "--upstream", "http://127.0.0.1:\(upstreamPort)/v1",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            // systemd-socket-activate listens at once and starts the daemon on the first connection.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            var response = ""
            while response.isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                let body = ProxyResponderTests.oddBody
                response = await RawHTTP.exchange(
                    port: port,
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                )
            }
            #expect(RawHTTP.status(of: response) == 200)
            #expect(response.hasSuffix(ProxyResponderTests.oddBody))
            #expect(upstream.received.last?.body == ProxyResponderTests.oddBody.bytes)
            await process.stop()
            #expect(!process.isRunning)
            if !process.isRunning { #expect(process.terminationStatus == 0) }
        }
    }

    /// What a user install and the unit's DynamicUser run: the daemon as a user without
    /// privileges. A socket option only root may set (SO_DEBUG, which a TCP_NODELAY set at
    /// the wrong level turns into) once left every connection of such a daemon reset
    /// while every test, all run as root, passed. As root, this drops to `nobody`.
    @Test(arguments: [false, true])
    func anUnprivilegedDaemonServes(socketActivated: Bool) async throws {
        guard let binary = Self.binary else {
            print("skipped: build condenser first (swift build)")
            return
        }
        if socketActivated, !FileManager.default.isExecutableFile(atPath: Self.socketActivate) {
            print("skipped: systemd-socket-activate is not installed")
            return
        }
        let asNobody = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] : []
        if !asNobody.isEmpty, !FileManager.default.isExecutableFile(atPath: asNobody[0]) {
            print("skipped: setpriv is not installed")
            return
        }
        // An empty file: not the machine's /etc/condenser, and readable by nobody.
        let config = try CondenserDaemonTests.configFile("")
        defer { try? FileManager.default.removeItem(atPath: config) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config)
        try await TestUpstream.run { upstream, upstreamPort in
            let port = try freePort()
            let serve = [binary, "serve", "--config", config, "--upstream", "http://127.0.0.1:\(upstreamPort)/v1"]
            let command =
                socketActivated
                ? [Self.socketActivate, "-l", "127.0.0.1:\(port)", "-E", Self.stateInMemory] + asNobody + serve
                : asNobody + serve + ["--listen", "127.0.0.1:\(port)"]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            process.environment = CondenserDaemonTests.environmentWithoutState
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            var response = ""
            while RawHTTP.status(of: response) != 200, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                let body = ProxyResponderTests.oddBody
                response = await RawHTTP.exchange(
                    port: port,
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                )
            }
            #expect(RawHTTP.status(of: response) == 200, "as \(asNobody.isEmpty ? "this user" : "nobody"): \(response.prefix(200))")
            #expect(upstream.received.last?.body == ProxyResponderTests.oddBody.bytes)
            await process.stop()
            #expect(!process.isRunning)
        }
    }
}
