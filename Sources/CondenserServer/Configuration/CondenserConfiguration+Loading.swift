import CondenserCore
import Foundation
import TOMLKit

extension CondenserConfiguration {
    /// One setting from the file, the environment or a flag, before validation.
    package enum RawValue: Sendable {
        case text(String)
        /// A TOML number, as text; never taken for a list.
        case number(String)
        case list([String])
        case bool(Bool)
    }

    /// Builds the effective configuration: defaults, then the file, then `CONDENSER_*`
    /// variables, then `flags` (config key → value). A missing file is an error only
    /// when `path` was given explicitly.
    package static func load(
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
    mutating func apply(toml text: String, source: String) throws(ConfigurationError) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                key: "", reason: "invalid TOML at \(error.source.begin.debugDescription): \(error.description)", source: source)
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

    /// Validates one value and stores it.
    mutating func apply(_ key: Key, _ value: RawValue, source: String) throws(ConfigurationError) {
        try key.definition.store(&self, value, KeyFailure(key: key.rawValue, source: source))
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
                throw ConfigurationError(
                    key: Key.anthropicKeyFile.rawValue, reason: "cannot read \"\(file)\" or it is empty", source: "configuration")
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
                throw ConfigurationError(
                    key: Key.upstreamKeyFile.rawValue, reason: "cannot read \"\(file)\" or it is empty", source: "configuration")
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
                throw ConfigurationError(
                    key: Key.clientTokenFile.rawValue, reason: "cannot read \"\(file)\" or it is empty", source: "configuration")
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
                    reason:
                        "needs a client token, or anyone who can reach Condenser could use it: set security.client_token_file or pass the systemd credential client-token",
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
