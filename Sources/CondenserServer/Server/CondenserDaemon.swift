import CondenserCore
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SystemdKit
import UnixSignals

/// The whole daemon as `condenser serve` runs it: the server with the real pipeline and
/// its recorders (journal, STATUS line, metrics), and beside it the watchdog pings, the
/// STATUS updates and SIGHUP reloads, all in one service group.
package struct CondenserDaemon: Sendable {
    let store: ConfigurationStore
    let compressor: ReloadableCompressor
    let status: SavingsStatus
    let metrics: MetricsRecorder
    let listeners: [Listener]?
    let reload: @Sendable () throws -> CondenserConfiguration
    let logger: Logger
    let notifier = Notifier()

    /// - Parameters:
    ///   - listeners: inherited sockets, or nil to bind the configured addresses.
    ///   - reload: reads the configuration again from where it first came (SIGHUP).
    package init(
        configuration: CondenserConfiguration, listeners: [Listener]?, logger: Logger,
        reload: @escaping @Sendable () throws -> CondenserConfiguration
    ) {
        store = ConfigurationStore(configuration)
        compressor = ReloadableCompressor(settings: configuration.compression) { [logger] in logger.warning("\($0)") }
        status = SavingsStatus()
        metrics = MetricsRecorder()
        self.listeners = listeners
        self.reload = reload
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT (or, socket-activated, until idle).
    package func run() async throws {
        if let listeners, let refusal = ListenerExposure.refusal(forInherited: listeners, allowRemote: store.current.allowRemote) {
            logger.critical("Refusing to serve beyond this machine", metadata: ["error": "\(refusal)"])
            throw refusal
        }
        DescriptorLimit.raiseAndCheck(maxConnections: store.current.maxConnections, logger: logger)
        // Loading a rank file takes tens of milliseconds: done lazily, it would land on
        // the first request and blow its time budget. o200k_base (gpt-4o, gpt-4.1, o-series,
        // gpt-5 and unknown models) loads now; cl100k_base, for older models, on first use
        // (about 10 MB saved when nobody asks for it).
        do {
            _ = try Tokenizer.shared(.o200kBase)
        } catch {
            logger.error("Token counting unavailable: requests pass uncompressed", metadata: ["error": "\(error)"])
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let metrics = self.metrics
        let server = ProxyServer(
            store: store, compressor: compressor, recorders: [JournalSavingsRecorder(), status, metrics],
            listeners: listeners, eventLoopGroup: group, logger: logger, notifier: notifier,
            routes: { router in
                router.get("/metrics") { _, _ in
                    Response(
                        status: .ok, headers: [.contentType: MetricsRecorder.contentType],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render()))
                    )
                }
            },
            metrics: metrics
        )
        let status = self.status
        let notifier = self.notifier
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // An idle exit ends the server's run normally; the rest stop with it.
            .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: SidecarService { await status.publish(every: .seconds(1)) { notifier.status($0) } }),
            .init(service: SidecarService { [self] in await reloadOnHangup() }),
        ]
        if let watchdog = Watchdog(eventLoopGroup: group) {
            logger.info("Watchdog on", metadata: ["interval": "\(watchdog.interval)"])
            services.append(.init(service: SidecarService { await watchdog.run() }))
        }
        let serviceGroup = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        // Whatever ends the run, the conversation state reaches the disk before the process exits.
        defer { compressor.flushState() }
        try await serviceGroup.run()
    }

    /// Each SIGHUP reads the configuration again and puts it in force for requests that
    /// start from then on; open connections and streams carry on. A bad file keeps the
    /// running configuration and says why. Listen addresses, log level and the upstream
    /// client's timeouts change only on restart.
    func reloadOnHangup() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            notifier.reloading()
            do {
                let configuration = try reload()
                store.replace(with: configuration)
                compressor.update(settings: configuration.compression)
                logger.notice(
                    "Reloaded the configuration",
                    metadata: ["upstream": "\(configuration.upstream)", "mode": "\(configuration.compressionMode.rawValue)"])
            } catch {
                logger.error("Reload failed; the running configuration stays in force", metadata: ["error": "\(error)"])
            }
            notifier.ready(status: status.line())
        }
    }
}
