extension CondenserConfiguration {
    /// The effective configuration as a TOML document `check-config` prints. The key
    /// itself never appears, only where it comes from.
    public var tomlDescription: String {
        func quoted(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        func list(_ items: [String]) -> String { "[" + items.map(quoted).joined(separator: ", ") + "]" }
        func seconds(_ duration: Duration) -> String {
            let (whole, attos) = duration.components
            return attos == 0 ? String(whole) : String(Double(whole) + Double(attos) / 1e18)
        }
        return """
            listen = \(list(listen.map(\.description)))
            log_level = \(quoted(logLevel.rawValue))
            log_prompts = \(logPrompts)
            shutdown_grace_seconds = \(seconds(shutdownGrace))

            [upstream]
            url = \(quoted(upstream.description))
            key_file = \(quoted(upstreamKeyFile ?? ""))
            # key: \(upstreamKey.map { "from \($0.source)" } ?? "none; the client's Authorization header is passed on")
            connect_timeout_seconds = \(seconds(connectTimeout))
            request_timeout_seconds = \(seconds(requestTimeout))
            stream_idle_timeout_seconds = \(seconds(streamIdleTimeout))

            [limits]
            max_body_bytes = \(maxBodyBytes)

            [security]
            allowed_hosts = \(list(allowedHosts))
            allowed_origins = \(list(allowedOrigins))

            [compression]
            mode = \(quoted(compressionMode.rawValue))
            state_directory = \(quoted(compression.stateDirectory ?? ""))
            state_megabytes = \(compression.stateMegabytes)
            state_max_age_hours = \(compression.stateMaxAgeHours)

            """
    }
}
