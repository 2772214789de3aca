import Foundation
import Glibc
import Testing

/// A journald for the tests that need the real one: the one already running, or one
/// this process starts (as root) and stops again after its last user.
public actor Journald {
    public static let shared = Journald()
    public static let socketPath = "/run/systemd/journal/socket"
    public static let binary = "/lib/systemd/systemd-journald"

    private var users = 0
    private var started: Process?
    private var starting = false

    /// Runs `body` with a journald listening; cancels (skips) the calling test, saying
    /// why, when there is none and this process cannot start one.
    public func use<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if let reason = await acquire() { try Test.cancel(Comment(rawValue: reason)) }
        defer { release() }
        return try await body()
    }

    /// Whether something receives on the journal socket: a stale socket file left by a
    /// stopped journald refuses the connection.
    public nonisolated static func isListening() -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in socketPath.utf8.enumerated() { path[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    private func acquire() async -> String? {
        // Waits sleep rather than block: the tests share a two-thread pool.
        while starting { try? await Task.sleep(for: .milliseconds(20)) }
        if users == 0, started == nil, !Self.isListening() {
            starting = true
            defer { starting = false }
            if let reason = await start() { return reason }
        }
        users += 1
        return nil
    }

    private func release() {
        users -= 1
        guard users == 0, let process = started else { return }
        process.terminate()
        process.waitUntilExit()
        started = nil
    }

    private func start() async -> String? {
        guard getuid() == 0 else { return "no journald runs and starting one needs root" }
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { return "\(Self.binary) is missing" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Not the notify socket a concurrent test may have named: journald would report there.
        process.environment = ProcessInfo.processInfo.environment.filter {
            !["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID"].contains($0.key)
        }
        do { try process.run() } catch { return "cannot start \(Self.binary): \(error)" }
        for _ in 0..<100 {
            if Self.isListening() {
                started = process
                return nil
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        process.waitUntilExit()
        return "\(Self.binary) started but never listened on \(Self.socketPath)"
    }
}
