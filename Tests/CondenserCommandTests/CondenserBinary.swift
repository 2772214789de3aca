import CondenserTestSupport
import Foundation
import Testing

/// The `condenser` executable built beside this test bundle, for tests of its commands.
enum CondenserBinary {
    static var path: String? {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = bundleDirectory.appendingPathComponent("condenser").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// The executable's path; cancels (skips) the calling test when it was not built.
    static func required() throws -> String {
        guard let path else { try Test.cancel("the condenser executable is not built next to the tests") }
        return path
    }

    /// Runs `condenser arguments...`, returning its exit status and standard output;
    /// cancels (skips) the calling test when the binary was not built.
    static func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.run(try required(), arguments, directory: directory)
        return (result.status, result.output)
    }
}
