import CondenserTestSupport
import Foundation
import Testing

/// `condenser check-config`, run as a user would.
@Suite struct CheckConfigCommandTests {
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, error: String)? {
        guard let binary = SocketActivationTests.binary else {
            print("skipped: build condenser first (swift build)")
            return nil
        }
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONDENSER_") }
            .merging(environment) { $1 }
        let result = try ChildProcess.run(binary, arguments, environment: environment)
        return (result.status, result.output, result.error)
    }

    @Test func shippedFileIsOK() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let result = try Self.run(["check-config", "--config", repo.appendingPathComponent("etc/condenser/condenser.toml").path]) else { return }
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("OK: "))
        #expect(result.output.contains(#"url = "https://api.generalcompute.com/v1""#))
    }

    @Test func badKeyIsNamedWithExitStatus1() throws {
        let path = try CondenserConfigurationTests.file(#"listen = ["127.0.0.1:8642", "127.0.0.1:99999"]"#)
        guard let result = try Self.run(["check-config", "--config", path]) else { return }
        #expect(result.status == 1)
        #expect(result.error.contains(#"listen[1]: "127.0.0.1:99999" is not a valid port"#))
    }

    @Test func environmentOverridesTheFile() throws {
        let path = try CondenserConfigurationTests.file("[compression]\nmode = \"off\"\n")
        guard let result = try Self.run(["check-config", "--config", path], environment: ["CONDENSER_COMPRESSION_MODE": "aggressive"]) else { return }
        #expect(result.status == 0)
        #expect(result.output.contains(#"mode = "aggressive""#))
    }

    @Test func remoteAccessIsExplainedAndTheTokenNeverPrinted() throws {
        let token = "cnd-check-config-token"
        let tokenPath = try CondenserConfigurationTests.file(token + "\n")
        let remote = try CondenserConfigurationTests.file(
            "listen = [\"0.0.0.0:8642\"]\n[security]\nallow_remote = true\nclient_token_file = \"\(tokenPath)\"\n")
        guard let result = try Self.run(["check-config", "--config", remote]) else { return }
        #expect(result.status == 0)
        #expect(result.output.contains("Remote access: ON"))
        #expect(result.output.contains("Client token: required of every client, read from \(tokenPath)"))
        #expect(!result.output.contains(token))
    }
}
