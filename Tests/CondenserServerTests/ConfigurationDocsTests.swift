import Foundation
import Testing

@testable import CondenserServer

/// The docs generated from the key list agree with it (scripts/config-docs rewrites them).
@Suite struct ConfigurationDocsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func repositoryFile(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    /// `section.name` of every `name = value` line of a TOML document, commented-out lines left out.
    static func keysWritten(in toml: String) -> Set<String> {
        var section: String?
        var keys: Set<String> = []
        for line in toml.split(separator: "\n") {
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
            } else if !line.hasPrefix("#"), let equals = line.range(of: " = ") {
                let name = String(line[..<equals.lowerBound])
                keys.insert(section.map { "\($0).\(name)" } ?? name)
            }
        }
        return keys
    }

    /// The first line where `actual` differs from `expected`, for a failure that reads in one glance.
    static func firstDifference(_ actual: some StringProtocol, _ expected: String) -> String? {
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(actualLines.count, expectedLines.count) {
            let have = index < actualLines.count ? String(actualLines[index]) : "(end)"
            let want = index < expectedLines.count ? String(expectedLines[index]) : "(end)"
            if have != want { return "line \(index + 1): has \"\(have)\", generated \"\(want)\"" }
        }
        return nil
    }

    @Test func theShippedFileIsTheGeneratedOne() throws {
        let shipped = try Self.repositoryFile("etc/condenser/condenser.toml")
        let difference = Self.firstDifference(shipped, CondenserConfiguration.defaultTOML)
        #expect(difference == nil, "etc/condenser/condenser.toml is out of date (run scripts/config-docs)")
    }

    @Test func theReadmeTableIsTheGeneratedOne() throws {
        let readme = try Self.repositoryFile("README.md")
        let begin = try #require(readme.range(of: "<!-- config-keys:begin"))
        let end = try #require(readme.range(of: "<!-- config-keys:end -->"))
        let afterBeginLine = try #require(readme[begin.upperBound...].firstIndex(of: "\n"))
        let region = readme[readme.index(after: afterBeginLine)..<end.lowerBound]
        let difference = Self.firstDifference(region, "\n" + CondenserConfiguration.readmeTable + "\n")
        #expect(difference == nil, "README's table of keys is out of date (run scripts/config-docs)")
    }

    @Test func theDefaultFileParsesToTheDefaults() throws {
        var configuration = CondenserConfiguration()
        try configuration.apply(toml: CondenserConfiguration.defaultTOML, source: "default")
        #expect(configuration == CondenserConfiguration())
        let derived = CondenserConfiguration.keyDefinitions.filter { $0.derivedDefault != nil }.map(\.key.rawValue)
        #expect(
            Self.keysWritten(in: CondenserConfiguration.defaultTOML)
                == Set(CondenserConfiguration.Key.allCases.map(\.rawValue)).subtracting(derived))
    }

    @Test func theEffectiveConfigurationWritesEveryKeyAndReadsBackTheSame() throws {
        var changed = CondenserConfiguration()
        try changed.apply(
            toml: """
                listen = ["127.0.0.2:9000", "[::1]:9001"]
                log_level = "debug"
                log_prompts = true
                shutdown_grace_seconds = 2.5
                idle_exit_seconds = 0
                [upstream]
                url = "http://127.0.0.1:8000/v1"
                key_file = "/run/keys/\\"quoted\\" key"
                anthropic_url = "http://127.0.0.1:8001"
                anthropic_key_file = "/run/keys/anthropic"
                connect_timeout_seconds = 3
                request_timeout_seconds = 30
                stream_idle_timeout_seconds = 40
                max_connections = 10
                [limits]
                max_body_bytes = 1000
                max_inflight_megabytes = 16
                client_header_timeout_seconds = 5
                client_body_idle_timeout_seconds = 6
                max_connections = 20
                [security]
                allowed_hosts = ["condenser.lan"]
                allowed_origins = ["http://localhost:3000"]
                allow_remote = true
                client_token_file = "/run/keys/token"
                [compression]
                mode = "aggressive"
                min_tokens = 10
                recent_turns = 5
                time_budget_ms = 70
                keep_system_prompt = false
                summaries = "never"
                summary_step_tokens = 5000
                summary_payoff = 1.5
                cache_ttl_seconds = 60
                dedupe_min_chars = 300
                boilerplate_min_chars = 170
                memo_entries = 100
                memo_megabytes = 8
                state_directory = "/srv/condenser state"
                state_megabytes = 2
                state_max_age_hours = 6
                """, source: "test")
        for definition in CondenserConfiguration.keyDefinitions {
            #expect(definition.value(in: changed) != definition.defaultValue, "the test leaves \(definition.key.rawValue) at its default")
        }
        let effective = changed.tomlDescription
        #expect(Self.keysWritten(in: effective) == Set(CondenserConfiguration.Key.allCases.map(\.rawValue)))
        var readBack = CondenserConfiguration()
        try readBack.apply(toml: effective, source: "check-config")
        #expect(readBack == changed)
    }
}
