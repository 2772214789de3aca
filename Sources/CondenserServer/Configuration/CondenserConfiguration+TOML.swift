import Foundation
import TOMLKit

extension CondenserConfiguration {
    /// The effective configuration as a TOML document `check-config` prints: every key, in
    /// the docs' order. A secret never appears, only where it comes from.
    package var tomlDescription: String {
        Self.renderTOML { definition in
            var lines = [Self.tomlLine(definition.key.name, definition.value(in: self))]
            if let note = definition.effectiveNote { lines.append("# " + note(self)) }
            return lines
        }
    }

    /// The commented default `condenser.toml` (etc/condenser/condenser.toml): each key with
    /// its comment and its default value.
    package static var defaultTOML: String {
        var text =
            defaultTOMLHeader.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n") + "\n\n"
        text += renderTOML(separatingKeys: true) { definition in
            var lines = definition.comment.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "#" : "# " + $0 }
            let line = tomlLine(definition.key.name, definition.defaultValue)
            lines.append(definition.derivedDefault == nil ? line : "# " + line)
            return lines
        }
        return text
    }

    /// The README's table of keys (Markdown), one row per key.
    package static var readmeTable: String {
        var rows = ["| key | type | default | what it does |", "| --- | --- | --- | --- |"]
        for definition in keyDefinitions {
            let defaultText =
                definition.derivedDefault
                ?? (definition.defaultValue == .unset ? "none" : markdownCode(tomlValueText(definition.defaultValue)))
            rows.append(
                "| `\(definition.key.rawValue)` | \(definition.kind.rawValue) | \(defaultText) | \(definition.summary.replacingOccurrences(of: "|", with: "\\|")) |"
            )
        }
        return rows.joined(separator: "\n") + "\n"
    }

    private static var defaultTOMLHeader: String {
        """
        Condenser: the local prompt-compression proxy.

        This file is read by `condenser serve` (default path \(defaultPath),
        or --config PATH). Every key can also be set by an environment variable, named
        CONDENSER_ + the key in capitals with dots as underscores (CONDENSER_UPSTREAM_URL,
        CONDENSER_COMPRESSION_MODE; lists comma-separated), and some by flags
        (--listen, --upstream, --mode, --log-level, --log-prompts). Flags win over the
        environment, which wins over this file. Check a file with:

            condenser check-config --config \(defaultPath)

        The values below are the defaults. In Condenser's source tree this file is generated
        by scripts/config-docs from the key list in
        Sources/CondenserServer/Configuration/ConfigurationKeys.swift: edit that, not this file.
        """
    }

    /// The top-level keys, then each table with its keys, in the docs' order.
    private static func renderTOML(
        separatingKeys: Bool = false, _ lines: (KeyDefinition) -> [String]
    ) -> String {
        var blocks: [String] = []
        for section in [nil] + Key.sectionOrder.map(Optional.some) {
            let definitions = keyDefinitions.filter { $0.key.section == section }
            guard !definitions.isEmpty else { continue }
            var block = section.map { ["[\($0)]"] } ?? []
            for (index, definition) in definitions.enumerated() {
                if separatingKeys && index > 0 { block.append("") }
                block += lines(definition)
            }
            blocks.append(block.joined(separator: "\n") + "\n")
        }
        return blocks.joined(separator: "\n")
    }

    /// `name = value`, written by TOMLKit.
    static func tomlLine(_ name: String, _ value: DocumentedValue) -> String {
        let table = TOMLTable()
        table[name] = value.tomlValue
        return table.convert(to: .toml, options: [.allowUnicodeStrings]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The value alone, as it stands after `=`.
    static func tomlValueText(_ value: DocumentedValue) -> String {
        let line = tomlLine("k", value)
        return String(line.dropFirst("k = ".count))
    }

    private static func markdownCode(_ text: String) -> String {
        text.contains("`") ? "`` \(text) ``" : "`\(text)`"
    }
}

extension CondenserConfiguration.DocumentedValue {
    var tomlValue: any TOMLValueConvertible {
        switch self {
        case .string(let text): return text
        case .integer(let number): return number
        case .number(let number): return number
        case .boolean(let bool): return bool
        case .list(let items): return TOMLArray(items)
        case .unset: return ""
        }
    }
}

extension CondenserConfiguration {
    /// Who may use the daemon, in plain sentences for `check-config`: whether remote
    /// access is on and where the client token comes from, never the token itself.
    package var accessDescription: [String] {
        let remote =
            allowRemote
            ? "Remote access: ON (security.allow_remote = true): Condenser may listen beyond this machine; every client must present the client token."
            : "Remote access: off: Condenser listens on loopback addresses only (set security.allow_remote = true, with a client token, to serve other machines)."
        let token: String
        if let clientToken {
            token =
                "Client token: required of every client, read from \(clientToken.source); clients send it as \"Authorization: Bearer <token>\" or \"x-api-key: <token>\", and it is never passed upstream."
        } else {
            token = "Client token: none: any process on this machine may use Condenser\(upstreamKey == nil ? "" : " and the upstream key")."
        }
        return [remote, token]
    }
}
