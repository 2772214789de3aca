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
            anthropic_url = \(quoted(anthropicUpstream.description))
            anthropic_key_file = \(quoted(anthropicKeyFile ?? ""))
            # anthropic key: \(anthropicKey.map { "from \($0.source)" } ?? "none; the client's x-api-key or Authorization header is passed on")
            connect_timeout_seconds = \(seconds(connectTimeout))
            request_timeout_seconds = \(seconds(requestTimeout))
            stream_idle_timeout_seconds = \(seconds(streamIdleTimeout))
            max_connections = \(upstreamMaxConnections)

            [limits]
            max_body_bytes = \(maxBodyBytes)
            max_inflight_megabytes = \(maxInflightBytes >> 20)
            client_header_timeout_seconds = \(seconds(clientHeaderTimeout))
            client_body_idle_timeout_seconds = \(seconds(clientBodyIdleTimeout))
            max_connections = \(maxConnections)

            [security]
            allowed_hosts = \(list(allowedHosts))
            allowed_origins = \(list(allowedOrigins))
            allow_remote = \(allowRemote)
            client_token_file = \(quoted(clientTokenFile ?? ""))

            [compression]
            mode = \(quoted(compressionMode.rawValue))
            state_directory = \(quoted(compression.stateDirectory ?? ""))
            state_megabytes = \(compression.stateMegabytes)
            state_max_age_hours = \(compression.stateMaxAgeHours)

            """
    }
}

extension CondenserConfiguration {
    /// Who may use the daemon, in plain sentences for `check-config`: whether remote
    /// access is on and where the client token comes from, never the token itself.
    public var accessDescription: [String] {
        let remote =
            allowRemote
            ? "Remote access: ON (security.allow_remote = true): Condenser may listen beyond this machine; every client must present the client token."
            : "Remote access: off: Condenser listens on loopback addresses only (set security.allow_remote = true, with a client token, to serve other machines)."
        let token: String
        if let clientToken {
            token = "Client token: required of every client, read from \(clientToken.source); clients send it as \"Authorization: Bearer <token>\" or \"x-api-key: <token>\", and it is never passed upstream."
        } else {
            token = "Client token: none: any process on this machine may use Condenser\(upstreamKey == nil ? "" : " and the upstream key")."
        }
        return [remote, token]
    }
}
