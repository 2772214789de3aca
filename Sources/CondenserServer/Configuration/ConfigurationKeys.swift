import CondenserCore
import Logging

// The one list of configuration keys. Loading, the README's table, the commented
// default etc/condenser/condenser.toml and `check-config`'s effective configuration
// all come from `Key` and its `definition`; after an edit here, run scripts/config-docs.

extension CondenserConfiguration {
    /// Every key, as written in the file (dotted for tables), in the order the docs list them.
    package enum Key: String, CaseIterable, Sendable {
        case listen
        case logLevel = "log_level"
        case logPrompts = "log_prompts"
        case shutdownGraceSeconds = "shutdown_grace_seconds"
        case idleExitSeconds = "idle_exit_seconds"
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

        /// The tables of the file, in the order the docs list them.
        static let sectionOrder = ["upstream", "limits", "security", "compression"]
        static let sections = Set(sectionOrder)

        /// The table the key sits in; nil at the top of the file.
        var section: String? {
            rawValue.firstIndex(of: ".").map { String(rawValue[..<$0]) }
        }

        /// The key's name inside its table.
        var name: String {
            rawValue.firstIndex(of: ".").map { String(rawValue[rawValue.index(after: $0)...]) } ?? rawValue
        }

        /// `CONDENSER_` and the key in capitals, dots as underscores: `CONDENSER_UPSTREAM_URL`.
        var environmentName: String {
            "CONDENSER_" + rawValue.uppercased().replacingOccurrences(of: ".", with: "_")
        }
    }

    /// What a key holds, as the docs name it.
    enum ValueKind: String, Sendable {
        case string
        case integer
        case number
        case seconds
        case boolean
        case list = "list of strings"
    }

    /// A key's value as the docs and `check-config` write it, whatever field holds it.
    enum DocumentedValue: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case number(Double)
        case boolean(Bool)
        case list([String])
        /// An optional file left unset, written as an empty string.
        case unset

        static func seconds(_ duration: Duration) -> DocumentedValue {
            let (whole, attoseconds) = duration.components
            return attoseconds == 0 ? .integer(Int(whole)) : .number(Double(whole) + Double(attoseconds) / 1e18)
        }
    }

    /// Builds the error for the key being applied, or for one element of it (`listen[1]`).
    struct KeyFailure {
        let key: String
        let source: String

        func callAsFunction(_ reason: String, key: String? = nil) -> ConfigurationError {
            ConfigurationError(key: key ?? self.key, reason: reason, source: source)
        }
    }

    /// One key: what it holds, how it is read from a value and stored, how it reads back,
    /// and what the docs say of it.
    struct KeyDefinition {
        let key: Key
        let kind: ValueKind
        /// One line for the README's table (Markdown).
        let summary: String
        /// The comment above the key in the default file, as lines without `#`.
        let comment: String
        /// What the docs give as the default when it is worked out at start (from the
        /// environment); such a key is left commented out in the default file.
        let derivedDefault: String?
        /// The key's value in a configuration.
        let read: (CondenserConfiguration) -> DocumentedValue
        /// Validates a value and stores it, or throws an error naming the key and why.
        let store: (inout CondenserConfiguration, RawValue, KeyFailure) throws(ConfigurationError) -> Void
        /// A comment `check-config` adds below the key (where a secret comes from).
        let effectiveNote: ((CondenserConfiguration) -> String)?

        init(
            _ key: Key, _ kind: ValueKind, summary: String, comment: String, derivedDefault: String? = nil,
            effectiveNote: ((CondenserConfiguration) -> String)? = nil,
            read: @escaping (CondenserConfiguration) -> DocumentedValue,
            store: @escaping (inout CondenserConfiguration, RawValue, KeyFailure) throws(ConfigurationError) -> Void
        ) {
            self.key = key
            self.kind = kind
            self.summary = summary
            self.comment = comment
            self.derivedDefault = derivedDefault
            self.read = read
            self.store = store
            self.effectiveNote = effectiveNote
        }

        /// The value a bare `CondenserConfiguration()` holds.
        var defaultValue: DocumentedValue { read(CondenserConfiguration()) }

        /// The key's value in `configuration`.
        func value(in configuration: CondenserConfiguration) -> DocumentedValue { read(configuration) }

        static func seconds(
            _ key: Key, _ field: WritableKeyPath<CondenserConfiguration, Duration>, summary: String, comment: String
        ) -> KeyDefinition {
            KeyDefinition(
                key, .seconds, summary: summary, comment: comment, read: { .seconds($0[keyPath: field]) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    configuration[keyPath: field] = try value.seconds { fail($0) }
                })
        }

        static func integer(
            _ key: Key, _ field: WritableKeyPath<CondenserConfiguration, Int>, summary: String, comment: String
        ) -> KeyDefinition {
            KeyDefinition(
                key, .integer, summary: summary, comment: comment, read: { .integer($0[keyPath: field]) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    configuration[keyPath: field] = try value.integer { fail($0) }
                })
        }

        static func boolean(
            _ key: Key, _ field: WritableKeyPath<CondenserConfiguration, Bool>, summary: String, comment: String
        ) -> KeyDefinition {
            KeyDefinition(
                key, .boolean, summary: summary, comment: comment, read: { .boolean($0[keyPath: field]) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    configuration[keyPath: field] = try value.bool(orThrow: fail("must be true or false"))
                })
        }

        /// A file path; empty leaves it unset.
        static func file(
            _ key: Key, _ field: WritableKeyPath<CondenserConfiguration, String?>, summary: String, comment: String,
            effectiveNote: ((CondenserConfiguration) -> String)? = nil
        ) -> KeyDefinition {
            KeyDefinition(
                key, .string, summary: summary, comment: comment, effectiveNote: effectiveNote,
                read: { configuration in configuration[keyPath: field].map { .string($0) } ?? .unset },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a string"))
                    configuration[keyPath: field] = text.isEmpty ? nil : text
                })
        }
    }

    /// Every key's definition, in the order the docs list them.
    static var keyDefinitions: [KeyDefinition] { Key.allCases.map(\.definition) }
}

extension CondenserConfiguration.Key {
    /// The key's type, default, docs and validation.
    var definition: CondenserConfiguration.KeyDefinition {
        typealias Definition = CondenserConfiguration.KeyDefinition
        switch self {
        case .listen:
            return Definition(
                self, .list,
                summary: "addresses to bind, `host:port` (IPv6 in brackets), when systemd passed no sockets",
                comment: """
                    Addresses to listen on, host:port, IPv6 in brackets. Ignored when systemd passes
                    sockets (condenser.socket): then every inherited socket is served instead.
                    Keep these on loopback: see [security] below.
                    """,
                read: { .list($0.listen.map(\.description)) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let texts = try value.strings(orThrow: fail("must be a list of host:port strings"))
                    guard !texts.isEmpty else { throw fail("needs at least one address") }
                    var addresses: [ListenAddress] = []
                    for (index, text) in texts.enumerated() {
                        switch ListenAddress.parse(text) {
                        case .success(let address): addresses.append(address)
                        case .failure(let failure): throw fail("\"\(text)\" \(failure.reason)", key: "\(fail.key)[\(index)]")
                        }
                    }
                    configuration.listen = addresses
                })
        case .logLevel:
            return Definition(
                self, .string,
                summary: "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`; logs go to stderr (the journal)",
                comment: """
                    Log level: trace, debug, info, notice, warning, error or critical. Logs go to stderr
                    (the journal, under systemd). Prompt text never appears in logs...
                    """,
                read: { .string($0.logLevel.rawValue) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a string"))
                    guard let level = Logger.Level(rawValue: text.lowercased()) else {
                        throw fail("\"\(text)\" is not a log level (trace, debug, info, notice, warning, error, critical)")
                    }
                    configuration.logLevel = level
                })
        case .logPrompts:
            return .boolean(
                self, \.logPrompts,
                summary: "debugging only: allows prompt text in logs",
                comment: "...unless this debugging switch is on. Leave it off.")
        case .shutdownGraceSeconds:
            return .seconds(
                self, \.shutdownGrace,
                summary: "how long SIGTERM lets open requests and streams finish",
                comment: """
                    On SIGTERM/SIGINT, how long in-flight requests and open streams may take to finish
                    before their connections are closed.
                    """)
        case .idleExitSeconds:
            return Definition(
                self, .seconds,
                summary: "socket-activated, exit after this long without connections (0: never)",
                comment: """
                    Started by systemd socket activation, exit after this many seconds without an open
                    connection; the socket starts the daemon again on the next one. 0 never exits.
                    Ignored when Condenser binds its own addresses.
                    """,
                read: { $0.idleExit.map { .seconds($0) } ?? .integer(0) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a number of seconds"))
                    guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
                        throw fail("\"\(text)\" must be 0 (never) or a positive number of seconds")
                    }
                    configuration.idleExit = seconds == 0 ? nil : .milliseconds(Int64((seconds * 1000).rounded()))
                })
        case .upstreamURL:
            return Definition(
                self, .string,
                summary: "the OpenAI-compatible base URL, `/v1` included (OpenAI, vLLM, Ollama...)",
                comment: """
                    The OpenAI-compatible base URL requests are forwarded to, /v1 included. A client's
                    /v1/chat/completions goes to <url>/chat/completions. Others:
                      url = "https://api.openai.com/v1"          # OpenAI
                      url = "http://127.0.0.1:8000/v1"           # a local vLLM
                      url = "http://127.0.0.1:11434/v1"          # a local Ollama
                    """,
                read: { .string($0.upstream.description) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a string"))
                    guard let url = UpstreamURL(validating: text) else {
                        throw fail("\"\(text)\" is not an http(s) base URL such as https://api.openai.com/v1")
                    }
                    configuration.upstream = url
                })
        case .upstreamKeyFile:
            return .file(
                self, \.upstreamKeyFile,
                summary: "key for clients that send no `Authorization`; else the credential `upstream-key`",
                comment: """
                    The API key. By default the client's own Authorization header is passed on, so
                    nothing is needed here. For clients that send none, name a file holding the key
                    (one line); without it, the systemd credential $CREDENTIALS_DIRECTORY/upstream-key
                    (LoadCredential=upstream-key:...) is used if present. The key is never logged.
                    """,
                effectiveNote: { configuration in
                    "key: "
                        + (configuration.upstreamKey.map { "from \($0.source)" } ?? "none; the client's Authorization header is passed on")
                })
        case .anthropicURL:
            return Definition(
                self, .string,
                summary: "Anthropic's base URL, without `/v1`, for `/v1/messages`",
                comment: """
                    Anthropic's base URL, without /v1, for the Messages API (Claude Code and the Anthropic
                    SDKs: ANTHROPIC_BASE_URL=http://127.0.0.1:8642). A client's /v1/messages goes to
                    <anthropic_url>/v1/messages; every header (anthropic-version, anthropic-beta...)
                    passes on as sent.
                    """,
                read: { .string($0.anthropicUpstream.description) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a string"))
                    guard let url = UpstreamURL(validating: text) else {
                        throw fail("\"\(text)\" is not an http(s) base URL such as https://api.anthropic.com")
                    }
                    configuration.anthropicUpstream = url
                })
        case .anthropicKeyFile:
            return .file(
                self, \.anthropicKeyFile,
                summary:
                    "Anthropic key, sent as `x-api-key` to clients that send neither `x-api-key` nor `Authorization`; else the credential `anthropic-key`",
                comment: """
                    The Anthropic API key, sent as x-api-key only when a client sends neither x-api-key
                    nor Authorization. Without it, the systemd credential $CREDENTIALS_DIRECTORY/anthropic-key
                    is used if present. The key is never logged.
                    """,
                effectiveNote: { configuration in
                    "anthropic key: "
                        + (configuration.anthropicKey.map { "from \($0.source)" }
                            ?? "none; the client's x-api-key or Authorization header is passed on")
                })
        case .connectTimeout:
            return .seconds(
                self, \.connectTimeout,
                summary: "the wait for a connection to the upstream; an unreachable upstream is a 502",
                comment: "Seconds to wait for a connection to the upstream.")
        case .requestTimeout:
            return .seconds(
                self, \.requestTimeout,
                summary: "the wait for the upstream's response head, a free connection included; then a 504",
                comment: """
                    Seconds to wait for the upstream's response head (for a stream: its first bytes),
                    including any wait for a free connection (max_connections).
                    """)
        case .streamIdleTimeout:
            return .seconds(
                self, \.streamIdleTimeout,
                summary: "the silence allowed between two chunks of a response body, streams included",
                comment: "Seconds of silence allowed between two chunks of a response body, streams included.")
        case .upstreamMaxConnections:
            return Definition(
                self, .integer,
                summary:
                    "requests open to the upstream at once, streams included; more wait within the request timeout, then get a 503 (`condenser_busy_total` in `/metrics`)",
                comment: """
                    Requests open to the upstream at once, streams included. A request beyond it waits
                    for one to finish, within request_timeout_seconds, then gets a 503.
                    """,
                read: { .integer($0.upstreamMaxConnections) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let count = try value.integer { fail($0) }
                    guard count > 0 else { throw fail("must be at least 1") }
                    configuration.upstreamMaxConnections = count
                })
        case .maxBodyBytes:
            return Definition(
                self, .integer,
                summary: "larger request bodies (after gzip inflation) get a 413",
                comment: """
                    The largest request body accepted, in bytes, after inflating Content-Encoding: gzip.
                    Larger bodies get a 413.
                    """,
                read: { .integer($0.maxBodyBytes) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be an integer"))
                    guard let bytes = Int(text), bytes > 0 else { throw fail("\"\(text)\" is not a positive number of bytes") }
                    configuration.maxBodyBytes = bytes
                })
        case .maxInflightMegabytes:
            return Definition(
                self, .integer,
                summary:
                    "memory request bodies may hold at once while read, compressed and sent (a chat body about 3× its size); more wait within the request timeout, then get a 503",
                comment: """
                    Megabytes that request bodies being read, compressed and forwarded may hold at once
                    (a chat body costs about three times its size while compressed). A request beyond it
                    waits, within upstream.request_timeout_seconds, then gets a 503.
                    """,
                read: { .integer($0.maxInflightBytes >> 20) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let megabytes = try value.integer { fail($0) }
                    guard megabytes > 0, megabytes <= 1 << 20 else { throw fail("must be between 1 and 1048576 megabytes") }
                    configuration.maxInflightBytes = megabytes << 20
                })
        case .clientHeaderTimeout:
            return .seconds(
                self, \.clientHeaderTimeout,
                summary:
                    "a client must send its whole request head within this long of connecting (or of the previous response's end), else the connection is closed (with a 408 if part of a head came)",
                comment: """
                    Seconds a client has to send a whole request head, counted from its connection's
                    opening (or from the end of the previous response on a kept-alive connection). Then
                    the connection is closed, with a 408 if part of a head had come.
                    """)
        case .clientBodyIdleTimeout:
            return .seconds(
                self, \.clientBodyIdleTimeout,
                summary:
                    "longest stall while a request body is arriving (less than 1 KiB of it in that time); then a 408 and the connection is closed",
                comment: """
                    Seconds a request body may stall while arriving (less than 1 KiB of it in that
                    time, so a body dripped a byte at a time stalls too); then a 408 and the connection
                    is closed.
                    """)
        case .maxConnections:
            return Definition(
                self, .integer,
                summary:
                    "client connections open at once; more are closed as soon as they are accepted and counted in `/metrics`. `serve` raises its soft descriptor limit to the hard one and warns when that can't hold twice this (each client may hold an upstream connection)",
                comment: """
                    Client connections open at once. Connections beyond it are closed as soon as they
                    are accepted (condenser_connections_refused_total in /metrics). Each open stream
                    also holds an upstream connection, so the descriptor limit (LimitNOFILE) should be
                    more than twice this.
                    """,
                read: { .integer($0.maxConnections) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let count = try value.integer { fail($0) }
                    guard count > 0 else { throw fail("\"\(count)\" must be at least 1") }
                    configuration.maxConnections = count
                })
        case .allowedHosts:
            return Definition(
                self, .list,
                summary: "extra `Host` names (without port) to accept besides loopback ones; `\"*\"` accepts any",
                comment: """
                    Requests whose Host is not a loopback name or address (localhost, 127.x.x.x, [::1])
                    are refused with a 403, which defeats DNS rebinding from web pages. List extra host
                    names (without port) to accept, or "*" for any.
                    """,
                read: { .list($0.allowedHosts) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    configuration.allowedHosts = try value.strings(orThrow: fail("must be a list of host names")).map { $0.lowercased() }
                })
        case .allowedOrigins:
            return Definition(
                self, .list,
                summary: "`Origin`s to accept; by default a request with an `Origin` (a browser's) is refused",
                comment: """
                    Requests that carry an Origin header (sent by browsers) are refused with a 403.
                    List origins to accept, e.g. "http://localhost:3000", or "*" for any.

                    Beyond those checks, every request needs exactly one well-formed Host (host[:port]),
                    and a path with dot segments (/v1/../x, /v1/%2e%2e/x) is refused with a 400.
                    """,
                read: { .list($0.allowedOrigins) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    configuration.allowedOrigins = try value.strings(orThrow: fail("must be a list of origins"))
                })
        case .allowRemote:
            return .boolean(
                self, \.allowRemote,
                summary: "allow non-loopback `listen` addresses (and inherited sockets); needs a client token",
                comment: """
                    Condenser attaches the upstream key for its clients, so by default it refuses to
                    listen anywhere but loopback (127.0.0.0/8, [::1], localhost), socket units included.
                    Set this to true to listen on other addresses; it then needs a client token.
                    """)
        case .clientTokenFile:
            return .file(
                self, \.clientTokenFile,
                summary: "token every client must send (`Authorization: Bearer` or `x-api-key`); else the credential `client-token`",
                comment: """
                    A file holding the token every client must present, as "Authorization: Bearer
                    <token>" or "x-api-key: <token>" (one line). Without it, the systemd credential
                    $CREDENTIALS_DIRECTORY/client-token (LoadCredential=client-token:...) is used if
                    present. Once configured, the token is required of every client, loopback ones too.
                    The header that carried it is not passed upstream: the configured upstream key is
                    attached instead, unless the client also sent its own Authorization. Remote clients
                    also need the name or address they use listed in allowed_hosts.
                    """)
        case .compressionMode:
            return Definition(
                self, .string,
                summary: "`off`, `safe` or `aggressive`; a request may choose with `X-Condenser-Mode`",
                comment: """
                    How hard to compress chat requests: off (forward as is), safe (lossless and
                    near-lossless stages) or aggressive (deeper summaries of old turns, and a new test
                    run's passed tests counted, not listed). A request can choose its own with the
                    X-Condenser-Mode header.
                    """,
                read: { .string($0.compressionMode.rawValue) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a string"))
                    guard let mode = CompressionMode(rawValue: text.lowercased()) else {
                        throw fail("\"\(text)\" is not a mode (off, safe, aggressive)")
                    }
                    configuration.compressionMode = mode
                })
        case .minimumTokens:
            return .integer(
                self, \.compression.minimumTokens,
                summary: "requests with fewer prompt tokens pass untouched",
                comment: """
                    Requests with fewer prompt tokens than this pass untouched: too little to save. The
                    provider caches them as they are, so the conversation's first larger request is not
                    summarised deep (that would re-bill the cached prefix) unless a re-cut pays.
                    """)
        case .recentTurns:
            return .integer(
                self, \.compression.recentTurns,
                summary: "the last this-many turns are never summarised",
                comment: """
                    The recency window: the last this-many turns (a user or assistant message, with the
                    tool results of its calls) are never summarised. The last user message, every tool
                    call and the system prompt are never changed at all; an older user message only when
                    it is long (from 1500 bytes, 800 in aggressive mode), by a summary that keeps its first
                    two sentences, questions and facts.
                    """)
        case .timeBudget:
            return .integer(
                self, \.compression.timeBudgetMilliseconds,
                summary: "over this many milliseconds of compression, the original request goes upstream (fail open)",
                comment: """
                    Compression that takes longer than this forwards the original request instead
                    (fail open), and the journal record says why.
                    """)
        case .keepSystemPrompt:
            return .boolean(
                self, \.compression.keepSystemPromptVerbatim,
                summary: "keep system and developer messages byte for byte",
                comment: "Keep system (and developer) messages byte for byte.")
        case .summaries:
            return Definition(
                self, .string,
                summary:
                    "when old turns may be summarised (at planned re-cuts only): `always`, `aggressive` (in aggressive mode) or `never`",
                comment: """
                    When old turns may be summarised: always (safe and aggressive), aggressive (only in
                    aggressive mode) or never. Summaries change the cached prefix, so they happen only
                    at planned re-cuts that pay for themselves.
                    """,
                read: { .string($0.compression.summaries.rawValue) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a string"))
                    guard let policy = PipelineSettings.SummaryPolicy(rawValue: text.lowercased()) else {
                        throw fail("\"\(text)\" is not a summary policy (never, aggressive, always)")
                    }
                    configuration.compression.summaries = policy
                })
        case .summaryStepTokens:
            return .integer(
                self, \.compression.summaryStepTokens,
                summary: "the summary boundary moves only after about this many new tokens",
                comment: """
                    The summary boundary moves only after about this many new tokens, so the provider's
                    prefix cache keeps hitting between re-cuts.
                    """)
        case .summaryPayoff:
            return Definition(
                self, .number,
                summary:
                    "a planned re-cut must save this many times what re-billing the cached prefix after it costs (0: re-cut at every step)",
                comment: """
                    A planned re-cut of a cached conversation (in either mode) must save, by estimate, this
                    many times what re-billing the prefix after it costs. The estimate expects as many
                    requests to come as came before, which is optimistic: at 3, the two re-cuts of the dev
                    corpus's replays both cost more than they saved. 4 keeps re-cuts to sessions long
                    enough to repay them. 0 re-cuts at every step.
                    """,
                read: { .number($0.compression.summaryPayoff) },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    let text = try value.text(orThrow: fail("must be a number"))
                    guard let payoff = Double(text), payoff.isFinite else { throw fail("\"\(text)\" is not a number") }
                    configuration.compression.summaryPayoff = payoff
                })
        case .cacheTTL:
            return .integer(
                self, \.compression.cacheTTLSeconds,
                summary:
                    "after this many seconds idle (or when first met) a conversation can have no cached prefix, so it is summarised as deep as `recent_turns` allows",
                comment: """
                    How long a provider keeps a cached prompt prefix after its last use, in seconds. A
                    conversation idle for longer, or one this daemon has not forwarded before, can have
                    nothing cached, so it is summarised as deep as recent_turns allows at no cache cost.
                    0: only conversations never forwarded count as uncached.
                    """)
        case .dedupeMinimumCharacters:
            return .integer(
                self, \.compression.dedupeMinimumCharacters,
                summary: "shortest block (in characters) replaced by a reference to an earlier identical copy",
                comment: """
                    Blocks shorter than this many characters are never replaced by a reference to an
                    earlier identical copy.
                    """)
        case .boilerplateMinimumCharacters:
            return .integer(
                self, \.compression.boilerplateMinimumCharacters,
                summary: "shortest paragraph (in characters) treated as repeated boilerplate",
                comment: """
                    Paragraphs shorter than this many characters are never treated as repeated
                    boilerplate.
                    """)
        case .memoEntries:
            return .integer(
                self, \.compression.memoEntries,
                summary: "most entries in the per-message memo",
                comment: """
                    Bounds of the memo of compressed messages, which lets each request of a growing
                    conversation work only on its new content: its entries...
                    """)
        case .memoMegabytes:
            return .integer(
                self, \.compression.memoMegabytes,
                summary: "most megabytes the per-message memo holds",
                comment: "...and its size.")
        case .stateDirectory:
            return Definition(
                self, .string,
                summary:
                    "where each conversation's summary boundary and last forwarding time survive restarts; `\"\"` keeps them in memory only",
                comment: """
                    Where each conversation's summary boundary and last forwarding time are kept, so
                    that after a restart (socket activation stops the daemon when idle) a conversation
                    is forwarded with the same bytes as before and the provider's prompt cache still
                    hits. Hashes, message counts and times only, no prompt text. Default: systemd's
                    $STATE_DIRECTORY (StateDirectory=condenser), else $XDG_STATE_HOME/condenser, else
                    ~/.local/state/condenser. An empty string keeps the state in memory only.
                    """,
                derivedDefault: "`$STATE_DIRECTORY`, else `$XDG_STATE_HOME/condenser`, else `~/.local/state/condenser`",
                read: { configuration in configuration.compression.stateDirectory.map { .string($0) } ?? .unset },
                store: { (configuration, value, fail) throws(ConfigurationError) in
                    configuration.compression.stateDirectory = try value.text(
                        orThrow: fail("must be a string (empty: keep conversation state in memory only)"))
                })
        case .stateMegabytes:
            return .integer(
                self, \.compression.stateMegabytes,
                summary: "most megabytes of that state (oldest entries dropped first)",
                comment: "Bounds of that state: its size...")
        case .stateMaxAgeHours:
            return .integer(
                self, \.compression.stateMaxAgeHours,
                summary: "hours after which a conversation's state entry is dropped",
                comment: "...and the age past which an entry is dropped.")
        }
    }
}
