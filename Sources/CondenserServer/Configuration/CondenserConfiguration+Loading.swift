import CondenserCore
import Foundation
import Logging
import TOMLKit

extension CondenserConfiguration {
    /// One setting from the file, the environment or a flag, before validation.
    public enum RawValue: Sendable {
        case text(String)
        /// A TOML number, as text; never taken for a list.
        case number(String)
        case list([String])
        case bool(Bool)
    }

    /// Builds the effective configuration: defaults, then the file, then `CONDENSER_*`
    /// variables, then `flags` (config key → value). A missing file is an error only
    /// when `path` was given explicitly.
    public static func load(
        path: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        flags: [(key: String, value: RawValue)] = []
    ) throws(ConfigurationError) -> CondenserConfiguration {
        var configuration = CondenserConfiguration()
        let filePath = path ?? defaultPath
        if FileManager.default.fileExists(atPath: filePath) {
            let text: String
            do {
                text = try String(contentsOfFile: filePath, encoding: .utf8)
            } catch {
                throw ConfigurationError(key: "", reason: "cannot read the file: \(error.localizedDescription)", source: filePath)
            }
            try configuration.apply(toml: text, source: filePath)
        } else if path != nil {
            throw ConfigurationError(key: "", reason: "no such file", source: filePath)
        }
        for key in Key.allCases {
            let name = key.environmentName
            guard let value = environment[name] else { continue }
            try configuration.apply(key, .text(value), source: "environment \(name)")
        }
        for (name, value) in flags {
            guard let key = Key(rawValue: name) else {
                throw ConfigurationError(key: name, reason: "is not a configuration key", source: "flags")
            }
            try configuration.apply(key, value, source: "flag")
        }
        try configuration.resolveUpstreamKey(environment: environment)
        try configuration.resolveClientToken(environment: environment)
        try configuration.validateExposure()
        if configuration.compression.stateDirectory == nil {
            configuration.compression.stateDirectory = ConversationStateStore.defaultDirectory(environment: environment)
        }
        return configuration
    }

    /// Applies a TOML document on top of this configuration.
    public mutating func apply(toml text: String, source: String) throws(ConfigurationError) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(key: "", reason: "invalid TOML at \(error.source.begin.debugDescription): \(error.description)", source: source)
        } catch {
            throw ConfigurationError(key: "", reason: "invalid TOML: \(error)", source: source)
        }
        try apply(table: table, prefix: "", source: source)
    }

    private mutating func apply(table: TOMLTable, prefix: String, source: String) throws(ConfigurationError) {
        for name in table.keys {
            guard let value = table[name] else { continue }
            let dotted = prefix.isEmpty ? name : "\(prefix).\(name)"
            if let subtable = value.table, Key.sections.contains(dotted) {
                try apply(table: subtable, prefix: dotted, source: source)
                continue
            }
            guard let key = Key(rawValue: dotted) else {
                throw ConfigurationError(key: dotted, reason: "is not a configuration key", source: source)
            }
            try apply(key, Self.rawValue(of: value, key: dotted, source: source), source: source)
        }
    }

    private static func rawValue(of value: any TOMLValueConvertible, key: String, source: String) throws(ConfigurationError) -> RawValue {
        if let string = value.string { return .text(string) }
        if let bool = value.bool { return .bool(bool) }
        if let int = value.int { return .number(String(int)) }
        if let double = value.double { return .number(String(double)) }
        if let array = value.array {
            var strings: [String] = []
            for (index, element) in array.enumerated() {
                guard let string = element.string else {
                    throw ConfigurationError(key: "\(key)[\(index)]", reason: "must be a string", source: source)
                }
                strings.append(string)
            }
            return .list(strings)
        }
        throw ConfigurationError(key: key, reason: "has an unsupported type (\(value.type))", source: source)
    }

    /// Every key, as written in the file (dotted for tables).
    public enum Key: String, CaseIterable, Sendable {
        case listen
        case logLevel = "log_level"
        case logPrompts = "log_prompts"
        case shutdownGraceSeconds = "shutdown_grace_seconds"
        case upstreamURL = "upstream.url"
        case upstreamKeyFile = "upstream.key_file"
        case anthropicURL = "upstream.anthropic_url"
        case anthropicKeyFile = "upstream.anthropic_key_file"
        case connectTimeout = "upstream.connect_timeout_seconds"
        case requestTimeout = "upstream.request_timeout_seconds"
        case streamIdleTimeout = "upstream.stream_idle_timeout_seconds"
        case upstreamMaxConnections = "upstream.max_connections"
        case maxBodyBytes = "limits.max_body_bytes"
        case maxInflightMegabytes = "limits.max_inflight_megabytes"
        case clientHeaderTimeout = "limits.client_header_timeout_seconds"
        case clientBodyIdleTimeout = "limits.client_body_idle_timeout_seconds"
        case maxConnections = "limits.max_connections"
        case allowedHosts = "security.allowed_hosts"
        case allowedOrigins = "security.allowed_origins"
        case allowRemote = "security.allow_remote"
        case clientTokenFile = "security.client_token_file"
        case idleExitSeconds = "idle_exit_seconds"
        case compressionMode = "compression.mode"
        case minimumTokens = "compression.min_tokens"
        case recentTurns = "compression.recent_turns"
        case timeBudget = "compression.time_budget_ms"
        case keepSystemPrompt = "compression.keep_system_prompt"
        case summaries = "compression.summaries"
        case summaryStepTokens = "compression.summary_step_tokens"
        case summaryPayoff = "compression.summary_payoff"
        case cacheTTL = "compression.cache_ttl_seconds"
        case dedupeMinimumCharacters = "compression.dedupe_min_chars"
        case boilerplateMinimumCharacters = "compression.boilerplate_min_chars"
        case memoEntries = "compression.memo_entries"
        case memoMegabytes = "compression.memo_megabytes"
        case stateDirectory = "compression.state_directory"
        case stateMegabytes = "compression.state_megabytes"
        case stateMaxAgeHours = "compression.state_max_age_hours"

        /// The tables of the file.
        static let sections: Set<String> = ["upstream", "limits", "security", "compression"]

        /// `CONDENSER_` and the key in capitals, dots as underscores: `CONDENSER_UPSTREAM_URL`.
        public var environmentName: String {
            "CONDENSER_" + rawValue.uppercased().replacingOccurrences(of: ".", with: "_")
        }
    }

    /// Validates one value and stores it.
    public mutating func apply(_ key: Key, _ value: RawValue, source: String) throws(ConfigurationError) {
        let name = key.rawValue
        func fail(_ reason: String, key: String = name) -> ConfigurationError {
            ConfigurationError(key: key, reason: reason, source: source)
        }
        switch key {
        case .listen:
            let texts = try value.strings(orThrow: fail("must be a list of host:port strings"))
            guard !texts.isEmpty else { throw fail("needs at least one address") }
            var addresses: [ListenAddress] = []
            for (index, text) in texts.enumerated() {
                switch ListenAddress.parse(text) {
                case .success(let address): addresses.append(address)
                case .failure(let failure): throw fail("\"\(text)\" \(failure.reason)", key: "\(name)[\(index)]")
                }
            }
            listen = addresses
        case .logLevel:
            let text = try value.text(orThrow: fail("must be a string"))
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw fail("\"\(text)\" is not a log level (trace, debug, info, notice, warning, error, critical)")
            }
            logLevel = level
        case .logPrompts:
            logPrompts = try value.bool(orThrow: fail("must be true or false"))
        case .shutdownGraceSeconds:
            shutdownGrace = try value.seconds { fail($0) }
        case .upstreamURL:
            let text = try value.text(orThrow: fail("must be a string"))
            guard let url = UpstreamURL(validating: text) else {
                throw fail("\"\(text)\" is not an http(s) base URL such as https://api.openai.com/v1")
            }
            upstream = url
        case .upstreamKeyFile:
            let text = try value.text(orThrow: fail("must be a string"))
            upstreamKeyFile = text.isEmpty ? nil : text
        case .anthropicURL:
            let text = try value.text(orThrow: fail("must be a string"))
            guard let url = UpstreamURL(validating: text) else {
                throw fail("\"\(text)\" is not an http(s) base URL such as https://api.anthropic.com")
            }
            anthropicUpstream = url
        case .anthropicKeyFile:
            let text = try value.text(orThrow: fail("must be a string"))
            anthropicKeyFile = text.isEmpty ? nil : text
        case .connectTimeout:
            connectTimeout = try value.seconds { fail($0) }
        case .requestTimeout:
            requestTimeout = try value.seconds { fail($0) }
        case .streamIdleTimeout:
            streamIdleTimeout = try value.seconds { fail($0) }
        case .upstreamMaxConnections:
            let count = try value.integer { fail($0) }
            guard count > 0 else { throw fail("must be at least 1") }
            upstreamMaxConnections = count
        case .maxBodyBytes:
            let text = try value.text(orThrow: fail("must be an integer"))
            guard let bytes = Int(text), bytes > 0 else { throw fail("\"\(text)\" is not a positive number of bytes") }
            maxBodyBytes = bytes
        case .maxInflightMegabytes:
            let megabytes = try value.integer { fail($0) }
            guard megabytes > 0, megabytes <= 1 << 20 else { throw fail("must be between 1 and 1048576 megabytes") }
            maxInflightBytes = megabytes << 20
        case .clientHeaderTimeout:
            clientHeaderTimeout = try value.seconds { fail($0) }
        case .clientBodyIdleTimeout:
            clientBodyIdleTimeout = try value.seconds { fail($0) }
        case .maxConnections:
            let count = try value.integer { fail($0) }
            guard count > 0 else { throw fail("\"\(count)\" must be at least 1") }
            maxConnections = count
        case .allowedHosts:
            allowedHosts = try value.strings(orThrow: fail("must be a list of host names")).map { $0.lowercased() }
        case .allowedOrigins:
            allowedOrigins = try value.strings(orThrow: fail("must be a list of origins"))
        case .allowRemote:
            allowRemote = try value.bool(orThrow: fail("must be true or false"))
        case .clientTokenFile:
            let text = try value.text(orThrow: fail("must be a string"))
            clientTokenFile = text.isEmpty ? nil : text
        case .compressionMode:
            let text = try value.text(orThrow: fail("must be a string"))
            guard let mode = CompressionMode(rawValue: text.lowercased()) else {
                throw fail("\"\(text)\" is not a mode (off, safe, aggressive)")
            }
            compressionMode = mode
        case .idleExitSeconds:
            let text = try value.text(orThrow: fail("must be a number of seconds"))
            guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
                throw fail("\"\(text)\" must be 0 (never) or a positive number of seconds")
            }
            idleExit = seconds == 0 ? nil : .milliseconds(Int64((seconds * 1000).rounded()))
        case .minimumTokens:
            compression.minimumTokens = try value.integer { fail($0) }
        case .recentTurns:
            compression.recentTurns = try value.integer { fail($0) }
        case .timeBudget:
            compression.timeBudgetMilliseconds = try value.integer { fail($0) }
        case .keepSystemPrompt:
            compression.keepSystemPromptVerbatim = try value.bool(orThrow: fail("must be true or false"))
        case .summaries:
            let text = try value.text(orThrow: fail("must be a string"))
            guard let policy = PipelineSettings.SummaryPolicy(rawValue: text.lowercased()) else {
                throw fail("\"\(text)\" is not a summary policy (never, aggressive, always)")
            }
            compression.summaries = policy
        case .summaryStepTokens:
            compression.summaryStepTokens = try value.integer { fail($0) }
        case .summaryPayoff:
            let text = try value.text(orThrow: fail("must be a number"))
            guard let payoff = Double(text), payoff.isFinite else { throw fail("\"\(text)\" is not a number") }
            compression.summaryPayoff = payoff
        case .cacheTTL:
            compression.cacheTTLSeconds = try value.integer { fail($0) }
        case .dedupeMinimumCharacters:
            compression.dedupeMinimumCharacters = try value.integer { fail($0) }
        case .boilerplateMinimumCharacters:
            compression.boilerplateMinimumCharacters = try value.integer { fail($0) }
        case .memoEntries:
            compression.memoEntries = try value.integer { fail($0) }
        case .memoMegabytes:
            compression.memoMegabytes = try value.integer { fail($0) }
        case .stateDirectory:
            compression.stateDirectory = try value.text(orThrow: fail("must be a string (empty: keep conversation state in memory only)"))
        case .stateMegabytes:
            compression.stateMegabytes = try value.integer { fail($0) }
        case .stateMaxAgeHours:
            compression.stateMaxAgeHours = try value.integer { fail($0) }
        }
        do {
            try compression.validate()
        } catch {
            throw ConfigurationError(key: "compression.\(error.key)", reason: error.reason, source: source)
        }
    }

    /// Reads the upstream keys: each configured file, else its systemd credential.
    mutating func resolveUpstreamKey(environment: [String: String]) throws(ConfigurationError) {
        anthropicKey = nil
        if let file = anthropicKeyFile {
            guard let key = Self.readKey(at: file) else {
                throw ConfigurationError(key: Key.anthropicKeyFile.rawValue, reason: "cannot read \"\(file)\" or it is empty", source: "configuration")
            }
            anthropicKey = UpstreamKey(value: key, source: file)
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
            let key = Self.readKey(at: directory + "/anthropic-key")
        {
            anthropicKey = UpstreamKey(value: key, source: "credential anthropic-key")
        }
        upstreamKey = nil
        if let file = upstreamKeyFile {
            guard let key = Self.readKey(at: file) else {
                throw ConfigurationError(key: Key.upstreamKeyFile.rawValue, reason: "cannot read \"\(file)\" or it is empty", source: "configuration")
            }
            upstreamKey = UpstreamKey(value: key, source: file)
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let file = directory + "/upstream-key"
            if let key = Self.readKey(at: file) {
                upstreamKey = UpstreamKey(value: key, source: "credential upstream-key")
            }
        }
    }

    /// Reads the client token: the configured file, else the systemd credential.
    mutating func resolveClientToken(environment: [String: String]) throws(ConfigurationError) {
        clientToken = nil
        if let file = clientTokenFile {
            guard let token = Self.readKey(at: file) else {
                throw ConfigurationError(key: Key.clientTokenFile.rawValue, reason: "cannot read \"\(file)\" or it is empty", source: "configuration")
            }
            clientToken = ClientToken(value: token, source: file)
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            if let token = Self.readKey(at: directory + "/client-token") {
                clientToken = ClientToken(value: token, source: "credential client-token")
            }
        }
    }

    /// A daemon reachable from the network spends the upstream key for whoever reaches
    /// it: only loopback unless remote access is asked for, and then only with a token.
    func validateExposure() throws(ConfigurationError) {
        if allowRemote {
            guard clientToken != nil else {
                throw ConfigurationError(
                    key: Key.allowRemote.rawValue,
                    reason: "needs a client token, or anyone who can reach Condenser could use it: set security.client_token_file or pass the systemd credential client-token",
                    source: "configuration")
            }
            return
        }
        for (index, address) in listen.enumerated() where !ListenerExposure.isLoopback(address) {
            throw ConfigurationError(
                key: listen.count == 1 ? Key.listen.rawValue : "\(Key.listen.rawValue)[\(index)]",
                reason: "\"\(address)\" is not a loopback address: anyone who can reach it could use the upstream key. "
                    + "Listen on 127.0.0.1 or [::1], or set security.allow_remote = true and a client token (security.client_token_file)",
                source: "configuration")
        }
    }

    private static func readKey(at path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return key.isEmpty ? nil : key
    }
}

extension CondenserConfiguration.RawValue {
    /// A list as it came, or a comma-separated text (an environment variable) split into one.
    func strings(orThrow error: ConfigurationError) throws(ConfigurationError) -> [String] {
        switch self {
        case .list(let list): return list
        case .text(let text):
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .number, .bool: throw error
        }
    }

    func text(orThrow error: ConfigurationError) throws(ConfigurationError) -> String {
        switch self {
        case .text(let text), .number(let text): return text
        case .list, .bool: throw error
        }
    }

    func bool(orThrow error: ConfigurationError) throws(ConfigurationError) -> Bool {
        switch self {
        case .bool(let bool): return bool
        case .text(let text):
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw error
            }
        case .list, .number: throw error
        }
    }

    /// A number from TOML reads like the same number from the environment.
    var textOrNumber: Self {
        if case .number(let text) = self { return .text(text) }
        return self
    }

    func integer(orThrow fail: (String) -> ConfigurationError) throws(ConfigurationError) -> Int {
        guard case .text(let text) = self.textOrNumber, let number = Int(text) else { throw fail("must be a whole number") }
        return number
    }

    func seconds(orThrow fail: (String) -> ConfigurationError) throws(ConfigurationError) -> Duration {
        guard case .text(let text) = self.textOrNumber, let seconds = Double(text), seconds.isFinite else {
            throw fail("must be a number of seconds")
        }
        guard seconds > 0 else { throw fail("\"\(text)\" must be more than 0 seconds") }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
