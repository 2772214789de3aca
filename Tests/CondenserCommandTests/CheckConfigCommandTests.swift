import CondenserTestSupport
import Foundation
import Testing

@testable import CondenserServer
@testable import condenser

/// `condenser check-config`, run as a user would.
@Suite struct CheckConfigCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `condenser` built next to this test bundle; the test is cancelled when there is none.
    static func binary() throws -> String {
        let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("condenser").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            try Test.cancel("the condenser executable is not built next to the tests")
        }
        return candidate
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, error: String) {
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONDENSER_") }
            .merging(environment) { $1 }
        let result = try ChildProcess.run(try binary(), arguments, environment: environment)
        return (result.status, result.output, result.error)
    }

    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func shippedFileIsOK() throws {
        let result = try Self.run(["check-config", "--config", Self.repository.appendingPathComponent("etc/condenser/condenser.toml").path])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("OK: "))
        #expect(result.output.contains(#"url = "https://api.generalcompute.com/v1""#))
    }

    @Test func theEffectiveConfigurationListsEveryKey() throws {
        let path = try Self.file("[compression]\nstate_directory = \"\"\n")
        let result = try Self.run(["check-config", "--config", path])
        #expect(result.status == 0)
        let marker = "# Effective configuration (file, then CONDENSER_* environment):\n"
        let effective = try #require(result.output.range(of: marker).map { result.output[$0.upperBound...] })
        var section: String?
        var written: [String] = []
        for line in effective.split(separator: "\n") {
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
            } else if !line.hasPrefix("#"), let equals = line.range(of: " = ") {
                let name = String(line[..<equals.lowerBound])
                written.append(section.map { "\($0).\(name)" } ?? name)
            }
        }
        #expect(written == CondenserConfiguration.Key.allCases.map(\.rawValue))
    }

    @Test func theGeneratedDocsComeFromTheKeyList() throws {
        let toml = try Self.run(["check-config", "--print-default-toml"])
        #expect(toml.status == 0)
        #expect(toml.output == CondenserConfiguration.defaultTOML)
        let table = try Self.run(["check-config", "--print-readme-table"])
        #expect(table.status == 0)
        #expect(table.output == CondenserConfiguration.readmeTable)
        // They are for scripts/config-docs, not for users.
        let help = CheckConfigCommand.helpMessage()
        #expect(help.contains("--config"))
        #expect(!help.contains("print-default-toml") && !help.contains("print-readme-table"))
    }

    @Test func badKeyIsNamedWithExitStatus1() throws {
        let path = try Self.file(#"listen = ["127.0.0.1:8642", "127.0.0.1:99999"]"#)
        let result = try Self.run(["check-config", "--config", path])
        #expect(result.status == 1)
        #expect(result.error.contains(#"listen[1]: "127.0.0.1:99999" is not a valid port"#))
    }

    @Test func environmentOverridesTheFile() throws {
        let path = try Self.file("[compression]\nmode = \"off\"\n")
        let result = try Self.run(["check-config", "--config", path], environment: ["CONDENSER_COMPRESSION_MODE": "aggressive"])
        #expect(result.status == 0)
        #expect(result.output.contains(#"mode = "aggressive""#))
    }

    @Test func remoteAccessIsExplainedAndTheTokenNeverPrinted() throws {
        let token = "cnd-check-config-token"
        let tokenPath = try Self.file(token + "\n")
        let remote = try Self.file(
            "listen = [\"0.0.0.0:8642\"]\n[security]\nallow_remote = true\nclient_token_file = \"\(tokenPath)\"\n")
        let result = try Self.run(["check-config", "--config", remote])
        #expect(result.status == 0)
        #expect(result.output.contains("Remote access: ON"))
        #expect(result.output.contains("Client token: required of every client, read from \(tokenPath)"))
        #expect(!result.output.contains(token))
    }
}
