import ArgumentParser
import CondenserCore
import CondenserServer
import Foundation
import Logging
import SystemdKit

/// `condenser serve`: the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the proxy: serve OpenAI-compatible requests on loopback and forward them upstream.",
        discussion: """
            Settings come from the configuration file, then CONDENSER_* environment variables, then these flags, \
            each overriding the one before. Started by systemd socket activation, it serves the inherited sockets \
            instead of binding --listen.
            """
    )

    @Option(help: "The configuration file (default \(CondenserConfiguration.defaultPath), used if present).")
    var config: String?

    @Option(help: "An address to listen on, host:port or [v6]:port; repeat for several.")
    var listen: [String] = []

    @Option(help: "The upstream base URL, e.g. https://api.openai.com/v1.")
    var upstream: String?

    @Option(help: "The compression mode: off, safe or aggressive.")
    var mode: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Flag(help: "Debugging only: allow prompt text in logs.")
    var logPrompts = false

    var flags: [(key: String, value: CondenserConfiguration.RawValue)] {
        typealias Key = CondenserConfiguration.Key
        var flags: [(key: String, value: CondenserConfiguration.RawValue)] = []
        if !listen.isEmpty { flags.append((Key.listen.rawValue, .list(listen))) }
        if let upstream { flags.append((Key.upstreamURL.rawValue, .text(upstream))) }
        if let mode { flags.append((Key.compressionMode.rawValue, .text(mode))) }
        if let logLevel { flags.append((Key.logLevel.rawValue, .text(logLevel))) }
        if logPrompts { flags.append((Key.logPrompts.rawValue, .bool(true))) }
        return flags
    }

    func run() async throws {
        let configuration: CondenserConfiguration
        do {
            configuration = try CondenserConfiguration.load(path: config, flags: flags)
        } catch {
            FileHandle.standardError.write(Data("condenser: configuration error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        LoggingSystem.bootstrap(StandardErrorLogHandler.factory())
        var logger = Logger(label: "condenser")
        logger.logLevel = configuration.logLevel
        if configuration.logPrompts {
            logger.warning("log_prompts is on: prompt text may appear in logs")
        }

        let descriptors: [Int32]
        do {
            descriptors = try ListenFDs.take()
        } catch {
            logger.critical("Socket activation failed", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        if !descriptors.isEmpty {
            logger.info("Socket-activated", metadata: ["descriptors": "\(descriptors)"])
        }

        let path = config
        let flags = self.flags
        let daemon = CondenserDaemon(
            configuration: configuration,
            listeners: descriptors.isEmpty ? nil : descriptors.map(Listener.descriptor),
            logger: logger,
            reload: { try CondenserConfiguration.load(path: path, flags: flags) }
        )
        do {
            try await daemon.run()
        } catch {
            logger.critical("Stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
