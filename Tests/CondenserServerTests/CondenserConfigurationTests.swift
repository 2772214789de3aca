import Foundation
import Testing

@testable import CondenserCore
@testable import CondenserServer

@Suite struct CondenserConfigurationTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaults() throws {
        let configuration = try CondenserConfiguration.load(path: nil, environment: [:])
        #expect(configuration.listen.map(\.description) == ["127.0.0.1:8642", "[::1]:8642"])
        #expect(configuration.upstream.description == "https://api.generalcompute.com/v1")
        #expect(configuration.compressionMode == .safe)
        #expect(configuration.shutdownGrace == .seconds(10))
        #expect(configuration.upstreamKey == nil)
    }

    @Test func shippedFileIsValidAndSaysTheDefaults() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = repo.appendingPathComponent("etc/condenser/condenser.toml").path
        let configuration = try CondenserConfiguration.load(path: path, environment: [:])
        #expect(configuration == (try CondenserConfiguration.load(path: nil, environment: [:])))
    }

    @Test func fileThenEnvironmentThenFlags() throws {
        let path = try Self.file(
            """
            listen = ["127.0.0.1:9000"]
            log_level = "debug"
            [upstream]
            url = "http://127.0.0.1:8000/v1/"
            request_timeout_seconds = 2.5
            [compression]
            mode = "aggressive"
            """
        )
        let configuration = try CondenserConfiguration.load(
            path: path,
            environment: [
                "CONDENSER_LOG_LEVEL": "warning", "CONDENSER_COMPRESSION_MODE": "off", "CONDENSER_LISTEN": "127.0.0.1:9001, [::1]:9001",
            ],
            flags: [("compression.mode", .text("safe"))]
        )
        #expect(configuration.listen.map(\.description) == ["127.0.0.1:9001", "[::1]:9001"])
        #expect(configuration.logLevel == .warning)
        #expect(configuration.upstream.description == "http://127.0.0.1:8000/v1")
        #expect(configuration.requestTimeout == .milliseconds(2500))
        #expect(configuration.compressionMode == .safe)
    }

    @Test func compressionKeysReachThePipelineSettings() throws {
        var configuration = CondenserConfiguration()
        try configuration.apply(
            toml:
                "idle_exit_seconds = 0\n[compression]\nmode = \"aggressive\"\nmin_tokens = 500\nrecent_turns = 5\nsummaries = \"never\"\nsummary_payoff = 1.5\ncache_ttl_seconds = 300\n",
            source: "test")
        #expect(configuration.idleExit == nil)
        #expect(configuration.compression.mode == .aggressive)
        #expect(configuration.compression.minimumTokens == 500)
        #expect(configuration.compression.recentTurns == 5)
        #expect(configuration.compression.summaries == .never)
        #expect(configuration.compression.summaryPayoff == 1.5)
        #expect(configuration.compression.cacheTTLSeconds == 300)
    }

    @Test func theStateDirectoryIsSystemdsThenTheUsersUnlessAKeyNamesOne() throws {
        let systemd = ["STATE_DIRECTORY": "/var/lib/condenser", "HOME": "/home/u"]
        #expect(try CondenserConfiguration.load(path: nil, environment: systemd).compression.stateDirectory == "/var/lib/condenser")
        #expect(
            try CondenserConfiguration.load(path: nil, environment: ["HOME": "/home/u"]).compression.stateDirectory
                == "/home/u/.local/state/condenser")
        #expect(
            try CondenserConfiguration.load(path: nil, environment: ["XDG_STATE_HOME": "/home/u/.state", "HOME": "/home/u"]).compression
                .stateDirectory
                == "/home/u/.state/condenser")
        // Empty: in memory only, whatever systemd says.
        let off = systemd.merging(["CONDENSER_COMPRESSION_STATE_DIRECTORY": ""]) { $1 }
        #expect(try CondenserConfiguration.load(path: nil, environment: off).compression.stateDirectory == "")
        let path = try Self.file("[compression]\nstate_directory = \"/srv/condenser\"\nstate_megabytes = 2\nstate_max_age_hours = 6\n")
        let configured = try CondenserConfiguration.load(path: path, environment: systemd).compression
        #expect(configured.stateDirectory == "/srv/condenser")
        #expect(configured.stateMegabytes == 2)
        #expect(configured.stateMaxAgeHours == 6)
    }

    @Test(arguments: [
        (#"listen = ["127.0.0.1:8642", "127.0.0.1:99999"]"#, #"listen[1]: "127.0.0.1:99999" is not a valid port"#),
        (#"listen = ["::1:8642"]"#, "listen[0]:"),
        ("[upstream]\nurl = \"ftp://x\"", "upstream.url:"),
        ("[upstream]\nconnect_timeout_seconds = -1", "upstream.connect_timeout_seconds:"),
        ("[limits]\nmax_body_bytes = \"big\"", "limits.max_body_bytes:"),
        ("[compression]\nmode = \"wild\"", "compression.mode:"),
        ("[compression]\ncache_ttl_seconds = -5", "compression.cache_ttl_seconds: must be between 0"),
        ("log_level = \"loud\"", "log_level:"),
        ("[upstream]\nurll = \"x\"", "upstream.urll: is not a configuration key"),
        ("listen = [", "invalid TOML"),
        ("[security]\nallowed_origins = 7", "security.allowed_origins: must be a list of origins"),
        ("idle_exit_seconds = -5", "idle_exit_seconds:"),
        ("[compression]\nrecent_turns = 0", "compression.recent_turns: must be at least 1"),
        ("[compression]\nmin_tokens = \"many\"", "compression.min_tokens: must be a whole number"),
        ("[compression]\nsummaries = \"sometimes\"", "compression.summaries:"),
        ("[compression]\ntime_budget_ms = 0", "compression.time_budget_ms: must be between 1 and 10000"),
        ("[compression]\nstate_directory = \"state\"", "compression.state_directory: must be an absolute path"),
        ("[compression]\nstate_megabytes = 0", "compression.state_megabytes: must be between 1 and 1024"),
        ("[compression]\nstate_max_age_hours = 0", "compression.state_max_age_hours: must be between 1 and 720"),
    ])
    func badValuesNameTheKeyAndWhy(text: String, message: String) throws {
        let path = try Self.file(text)
        #expect {
            _ = try CondenserConfiguration.load(path: path, environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(message) == true
        }
    }

    /// A value of the wrong type for each key's kind.
    static func wrongValue(for kind: CondenserConfiguration.ValueKind) -> String {
        switch kind {
        case .string: return "true"
        case .integer, .number, .seconds: return "\"many\""
        case .boolean: return "\"maybe\""
        case .list: return "7"
        }
    }

    @Test(arguments: CondenserConfiguration.Key.allCases)
    func aValueOfTheWrongTypeNamesTheKey(key: CondenserConfiguration.Key) throws {
        let line = "\(key.name) = \(Self.wrongValue(for: key.definition.kind))"
        let toml = key.section.map { "[\($0)]\n\(line)\n" } ?? line + "\n"
        var configuration = CondenserConfiguration()
        #expect {
            try configuration.apply(toml: toml, source: "test")
        } throws: { error in
            (error as? ConfigurationError)?.key == key.rawValue
        }
    }

    @Test func environmentErrorsNameTheVariable() throws {
        #expect {
            _ = try CondenserConfiguration.load(path: nil, environment: ["CONDENSER_UPSTREAM_CONNECT_TIMEOUT_SECONDS": "soon"])
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.key == "upstream.connect_timeout_seconds"
                && error?.source == "environment CONDENSER_UPSTREAM_CONNECT_TIMEOUT_SECONDS"
        }
    }

    @Test func missingExplicitFileIsAnError() {
        #expect(throws: ConfigurationError.self) {
            _ = try CondenserConfiguration.load(path: "/nonexistent/condenser.toml", environment: [:])
        }
    }

    @Test func upstreamKeyFromFileOrCredential() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "sk-credential\n".write(to: directory.appendingPathComponent("upstream-key"), atomically: true, encoding: .utf8)
        let fromCredential = try CondenserConfiguration.load(path: nil, environment: ["CREDENTIALS_DIRECTORY": directory.path])
        #expect(fromCredential.upstreamKey?.value == "sk-credential")

        let keyFile = try Self.file("sk-file\n")
        let fromFile = try CondenserConfiguration.load(
            path: nil, environment: ["CREDENTIALS_DIRECTORY": directory.path, "CONDENSER_UPSTREAM_KEY_FILE": keyFile]
        )
        #expect(fromFile.upstreamKey?.value == "sk-file")
        #expect(!fromFile.tomlDescription.contains("sk-file"))
    }

    @Test func upstreamPathsReplaceTheClientsV1() {
        let url = UpstreamURL(validating: "https://api.example.com/openai/v1")!
        #expect(url.url(forClientPath: "/v1/chat/completions") == "https://api.example.com/openai/v1/chat/completions")
        #expect(url.url(forClientPath: "/v1/models?x=1") == "https://api.example.com/openai/v1/models?x=1")
    }
}
