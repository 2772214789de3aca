import CondenserTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `condenser serve` under systemd: `sd_notify` reads `NOTIFY_SOCKET` from the environment,
/// which tests share, so the daemon runs as a child process whose environment alone names
/// the test's datagram socket.
@Suite struct ServeCommandTests {
    @Test func daemonSaysReadyStatusAndStopping() async throws {
        let binary = try CondenserBinary.required()
        let path = NSTemporaryDirectory() + "condenser-notifier-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let socketFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(socketFD >= 0)
        defer {
            close(socketFD)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9/v1"]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = path
        environment["CONDENSER_LOG_LEVEL"] = "error"
        // Never the user's conversation state.
        environment["CONDENSER_COMPRESSION_STATE_DIRECTORY"] = ""
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // No waitUntilExit: it can spin for ever on a child Foundation failed to reap.
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func receive(until marker: String) -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(socketFD, &buffer, buffer.count, 0)
                guard count > 0 else { return nil }
                let message = String(decoding: buffer[..<count], as: UTF8.self)
                if message.split(separator: "\n").contains(where: { $0 == marker }) { return message }
            }
        }

        let ready = try #require(receive(until: "READY=1"))
        let status = ready.split(separator: "\n").first { $0.hasPrefix("STATUS=") }
        #expect(status?.hasPrefix("STATUS=Serving on 127.0.0.1:") == true)
        #expect(status?.contains("forwarding to http://127.0.0.1:9/v1") == true)

        process.terminate()
        let stopping = receive(until: "STOPPING=1")
        #expect(stopping != nil)
        await process.stop()
        #expect(!process.isRunning)
        if !process.isRunning { #expect(process.terminationStatus == 0) }
    }
}
