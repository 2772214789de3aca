import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import CondenserServer

#if canImport(Glibc)
import Glibc
#endif

/// Clients from another address than loopback, reached through this machine's own
/// non-loopback address, and a socket unit that listens on every address.
@Suite struct RemoteClientTests {
    /// The first IPv4 address of this machine outside 127.0.0.0/8, if it has one.
    static func nonLoopbackAddress() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            let v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard UInt32(bigEndian: v4.s_addr) >> 24 != 127 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var copy = v4
            guard inet_ntop(AF_INET, &copy, &buffer, socklen_t(buffer.count)) != nil else { continue }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }

    static func get(_ url: String, headers: [(String, String)] = [], client: HTTPClient) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func aClientFromAnotherAddressIsRefusedUnlessRemoteIsAllowedAndItHasTheToken() async throws {
        guard let address = Self.nonLoopbackAddress() else {
            print("skipped: this machine has no non-loopback IPv4 address")
            return
        }
        // As a reloaded configuration could leave it: a non-loopback listener, remote access
        // off, and any Host accepted, so only the client's address can refuse it.
        try await ProxyHarness.run(configure: {
            $0.listen = [ListenAddress(host: address, port: 0)]
            $0.allowedHosts = ["*"]
            $0.upstreamKey = UpstreamKey(value: "sk-configured", source: "test")
        }) { proxy in
            let answer = try await Self.get(
                "http://\(address):\(proxy.port)/v1/models", headers: [("Host", "127.0.0.1")], client: proxy.client)
            #expect(answer.status == 403)
            #expect(answer.body.contains("serves this machine only"))
            #expect(proxy.upstream.received.isEmpty)
        }
        try await ProxyHarness.run(configure: {
            $0.listen = [ListenAddress(host: address, port: 0)]
            $0.allowedHosts = [address]
            $0.allowRemote = true
            $0.clientToken = ClientToken(value: "cnd-remote", source: "test")
            $0.upstreamKey = UpstreamKey(value: "sk-configured", source: "test")
        }) { proxy in
            let base = "http://\(address):\(proxy.port)/v1/models"
            let forged = try await Self.get(base, headers: [("Host", "127.0.0.1")], client: proxy.client)
            #expect(forged.status == 401)
            #expect(proxy.upstream.received.isEmpty)
            let served = try await Self.get(base, headers: [("Authorization", "Bearer cnd-remote")], client: proxy.client)
            #expect(served.status == 200)
            #expect(proxy.upstream.received.last?.headers[.authorization] == "Bearer sk-configured")
        }
    }

    @Test func aSocketUnitListeningOnEveryAddressStopsTheDaemon() async throws {
        guard let binary = SocketActivationTests.binary else {
            print("skipped: build condenser first (swift build)")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: SocketActivationTests.socketActivate) else {
            print("skipped: systemd-socket-activate is not installed")
            return
        }
        let config = try CondenserConfigurationTests.file("")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SocketActivationTests.socketActivate)
        process.arguments = ["-l", "0.0.0.0:\(port)", binary, "serve", "--config", config]
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // The first connection starts the daemon, which must refuse to serve it.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        var response = "not tried"
        while process.isRunning, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            response = await RawHTTP.exchange(
                port: port, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeoutSeconds: 2)
        }
        #expect(RawHTTP.status(of: response) != 200)
        #expect(!process.isRunning)
        if !process.isRunning { #expect(process.terminationStatus != 0) }
        let log = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        #expect(log.contains("listens on 0.0.0.0:\(port), beyond this machine"), "\(log.suffix(400))")
    }
}
