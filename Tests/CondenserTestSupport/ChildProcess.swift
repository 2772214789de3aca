import Foundation

/// Runs a short-lived command for a test and captures what it prints.
///
/// Output goes through temporary files, not pipes: Foundation leaves a pipe's write end
/// open across `exec`, so a daemon another test starts at the same moment inherits it,
/// and reading the pipe to its end would wait for that daemon to exit.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var error: String
    }

    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil
    ) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputURL = folder.appendingPathComponent("stdout")
        let errorURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? error.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            output: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "",
            error: (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        )
    }
}

extension Process {
    /// Stops a daemon a test started, without blocking a cooperative thread: SIGTERM,
    /// then SIGKILL if it is still running after `grace`. Foundation can miss a child's
    /// exit when several start at once, and `waitUntilExit` then spins for ever; this
    /// gives up waiting instead.
    public func stop(grace: Duration = .seconds(10)) async {
        guard isRunning else { return }
        terminate()
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while isRunning, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if isRunning { kill(processIdentifier, SIGKILL) }
    }
}
