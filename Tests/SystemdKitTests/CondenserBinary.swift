import Foundation
import Testing

/// The `condenser` executable built beside this test bundle, for tests of its commands.
enum CondenserBinary {
    static var path: String? {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = bundleDirectory.appendingPathComponent("condenser").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// Runs `condenser arguments...`, returning its exit status and standard output;
    /// cancels (skips) the calling test when the binary was not built.
    static func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        guard let path else { try Test.cancel("the condenser executable is not built next to the tests") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
