import CondenserCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
import SystemdKit

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's HTTP server, as a `Service`: binds the configured addresses or serves
/// the sockets systemd passed, proxies to the upstream, and on graceful shutdown stops
/// accepting, lets in-flight requests and streams finish within the grace period, then
/// closes what is left.
///
/// Hummingbird's `Server` binds exactly one address it resolves itself, so the listening
/// sockets are made here with NIO's `ServerBootstrap`, and each accepted connection runs
/// Hummingbird's `HTTP1Channel`.
package final class ProxyServer: Service, Sendable {
    let store: ConfigurationStore
    let compressor: any ChatCompressor
    let recorders: [any SavingsRecorder]
    let listeners: [Listener]?
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let notifier: Notifier
    let router: RouterResponder<BasicRequestContext>
    let metrics: MetricsRecorder?
    let onServing: @Sendable ([SocketAddress]) async -> Void

    /// - Parameters:
    ///   - store: the configuration in force; reloads swap it.
    ///   - compressor: the pipeline hook chat requests go through.
    ///   - recorders: each gets one `SavingsRecord` per proxied chat request.
    ///   - listeners: where to take connections; nil binds the configured addresses.
    ///   - routes: adds routes outside `/v1` (e.g. `/metrics`) to the router that already
    ///     serves `GET /healthz`.
    ///   - metrics: counts what the server itself refuses (connections over the cap).
    ///   - onServing: called with the bound addresses once the server accepts connections.
    package init(
        store: ConfigurationStore,
        compressor: any ChatCompressor = IdentityCompressor(),
        recorders: [any SavingsRecorder] = [],
        listeners: [Listener]? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "condenser"),
        notifier: Notifier = Notifier(),
        routes: (Router<BasicRequestContext>) -> Void = { _ in },
        metrics: MetricsRecorder? = nil,
        onServing: @escaping @Sendable ([SocketAddress]) async -> Void = { _ in }
    ) {
        self.store = store
        self.compressor = compressor
        self.recorders = recorders
        self.listeners = listeners
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.notifier = notifier
        self.metrics = metrics
        self.onServing = onServing
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        routes(router)
        self.router = router.buildResponder()
    }

    package func run() async throws {
        let configuration = store.current
        let upstream = Upstream(configuration: configuration, eventLoopGroup: eventLoopGroup)
        let proxy = ProxyResponder(
            store: store, compressor: compressor, recorders: recorders, upstream: upstream, router: router, logger: logger
        )
        let http = HTTP1Channel(responder: { request, writer, channel in
            let response = await proxy.respond(to: request, channel: channel)
            try await writer.write(response: response.head, body: response.body)
        })
        let connections = ConnectionTracker()

        let servers: [NIOAsyncChannel<HTTP1Channel.Value, Never>]
        do {
            servers = try await bind(listeners ?? configuration.listen.map(Listener.address), http: http, connections: connections)
        } catch {
            await upstream.shutdown()
            throw error
        }

        let addresses = servers.compactMap(\.channel.localAddress)
        let serving = addresses.map { $0.condenserDescription }.joined(separator: ", ")
        logger.info("Serving", metadata: ["listen": "\(serving)", "upstream": "\(configuration.upstream)"])
        notifier.ready(status: "Serving on \(serving), forwarding to \(configuration.upstream)")
        await onServing(addresses)

        let logger = self.logger
        let notifier = self.notifier
        let grace = configuration.shutdownGrace
        let deadline = GraceDeadline()
        let idleExit = listeners == nil ? nil : configuration.idleExit
        let listening = ListeningState()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if let idleExit {
                    group.addTask {
                        await Self.closeWhenIdle(
                            servers, after: idleExit, connections: connections, logger: logger, notifier: notifier,
                            beforeClosing: { listening.closeOnPurpose() })
                    }
                }
                for server in servers {
                    group.addTask {
                        let address = server.channel.localAddress?.condenserDescription ?? "a listener"
                        var error: (any Error)?
                        do {
                            try await server.executeThenClose { inbound in
                                try await withThrowingDiscardingTaskGroup { connectionGroup in
                                    for try await connection in inbound {
                                        connectionGroup.addTask {
                                            await Self.serve(connection, with: http, logger: logger)
                                        }
                                    }
                                }
                            }
                        } catch let caught {
                            error = caught
                        }
                        guard !listening.closedOnPurpose else { return }
                        // Active but deaf is the worst state a socket-activated daemon can
                        // be in: systemd keeps routing connections to it. Stop everything
                        // so the process exits non-zero and the unit shows as failed.
                        let reason = error.map { "\($0)" } ?? "it stopped accepting connections"
                        logger.error("Listener failed; stopping", metadata: ["listen": "\(address)", "error": "\(reason)"])
                        listening.fail(ListenerFailure(address: address, reason: reason))
                        for other in servers { other.channel.close(promise: nil) }
                        connections.closeAll()
                    }
                }
            }
        } onGracefulShutdown: {
            listening.closeOnPurpose()
            logger.info("Shutting down: draining open requests", metadata: ["open.connections": "\(connections.count)"])
            notifier.stopping(status: "Draining \(connections.count) connections")
            for server in servers {
                server.channel.close(promise: nil)
            }
            connections.quiesce()
            deadline.start(after: grace) {
                logger.warning("Grace period over: closing connections still open", metadata: ["open.connections": "\(connections.count)"])
                connections.closeAll()
            }
        }
        deadline.cancel()
        await upstream.shutdown()
        if let failure = listening.failure { throw failure }
        logger.info("Stopped")
    }

    /// Socket-activated, the daemon need not stay: once no connection has been open for
    /// `limit`, it stops listening, `run` returns and the process exits. The listening
    /// socket stays with systemd, which starts the daemon again on the next connection.
    static func closeWhenIdle(
        _ servers: [NIOAsyncChannel<HTTP1Channel.Value, Never>], after limit: Duration,
        connections: ConnectionTracker, logger: Logger, notifier: Notifier, beforeClosing: @Sendable () -> Void = {}
    ) async {
        let clock = ContinuousClock()
        let tick = min(Duration.seconds(1), limit / 4)
        var idleSince = clock.now
        while servers.contains(where: { $0.channel.isActive }) {
            do { try await clock.sleep(for: tick) } catch { return }
            if connections.count > 0 {
                idleSince = clock.now
            } else if clock.now - idleSince >= limit {
                logger.info(
                    "Idle: exiting until the socket starts the daemon again", metadata: ["idle.seconds": "\(limit.components.seconds)"])
                notifier.stopping(status: "Idle, exiting until the next connection")
                beforeClosing()
                for server in servers {
                    server.channel.close(promise: nil)
                }
                return
            }
        }
    }

    /// Runs one connection, cancelling its work (and so the upstream request) as soon as
    /// the client goes away, rather than when the next write fails.
    static func serve(_ connection: HTTP1Channel.Value, with http: HTTP1Channel, logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await http.handle(value: connection, logger: logger) }
            group.addTask { try? await connection.channel.closeFuture.get() }
            await group.next()
            group.cancelAll()
        }
    }

    private func bind(
        _ listeners: [Listener], http: HTTP1Channel, connections: ConnectionTracker
    ) async throws -> [NIOAsyncChannel<HTTP1Channel.Value, Never>] {
        // No remote half-closure: a client that shuts its side closes the channel, which
        // is how a vanished client is noticed.
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // TCP_NODELAY is level IPPROTO_TCP: `.socketOption(.tcp_nodelay)` would be SOL_SOCKET,
            // where the same number is SO_DEBUG, which only CAP_NET_ADMIN may set.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        let logger = self.logger
        let store = self.store
        let metrics = self.metrics
        let admission = ConnectionAdmission(
            connections: connections, limit: { store.current.maxConnections }, logger: logger,
            onRefused: { metrics?.recordRefusedConnection() })
        let serverBootstrap = bootstrap.serverChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                // Both go before NIO's accept handling: an accept error must be absorbed
                // before it reaches the listener's stream, and a refused connection be
                // closed before anything is set up for it.
                try channel.pipeline.syncOperations.addHandler(AcceptPressureHandler(logger: logger))
                try channel.pipeline.syncOperations.addHandler(ConnectionLimitHandler(admission: admission))
            }
        }
        let initializer: @Sendable (any Channel) -> EventLoopFuture<HTTP1Channel.Value> = { channel in
            let configuration = store.current
            let limits = ClientTimeoutHandler.Limits(
                headerTimeout: TimeAmount(configuration.clientHeaderTimeout),
                bodyIdleTimeout: TimeAmount(configuration.clientBodyIdleTimeout))
            let value = http.setup(channel: channel, logger: logger).flatMapThrowing { value in
                // Right after the request decoder, where a complete head is one part and
                // the parser's errors are first seen.
                let pipeline = channel.pipeline.syncOperations
                let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                let protocolErrors = ProtocolErrorHandler(logger: logger)
                try pipeline.addHandler(protocolErrors, position: .after(decoder))
                try pipeline.addHandler(ClientTimeoutHandler(limits: limits, logger: logger), position: .after(protocolErrors))
                return value
            }
            // NIO drops a connection whose setup failed without closing it.
            value.whenFailure { _ in channel.close(promise: nil) }
            return value
        }
        var servers: [NIOAsyncChannel<HTTP1Channel.Value, Never>] = []
        var unavailable: [ListenError] = []
        for listener in listeners {
            do {
                switch listener {
                case .address(let address):
                    servers.append(
                        try await serverBootstrap.bind(host: address.host, port: address.port, childChannelInitializer: initializer))
                case .descriptor(let descriptor):
                    servers.append(try await serverBootstrap.bind(descriptor, childChannelInitializer: initializer))
                }
            } catch let error as IOError where [EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.errnoCode) {
                // A host without IPv6 can't bind the default [::1]; serve the others.
                unavailable.append(ListenError(listener: listener, underlying: error))
            } catch {
                for server in servers {
                    try? await server.channel.close()
                }
                throw ListenError(listener: listener, underlying: error)
            }
        }
        if servers.isEmpty, let first = unavailable.first {
            throw first
        }
        for failure in unavailable {
            logger.warning(
                "Address not available here; not listening on it",
                metadata: ["listen": "\(failure.listener)", "error": "\(failure.underlying)"])
        }
        return servers
    }
}

/// Whether the server closed its listeners itself (shutdown, idle exit), so that a
/// listener which ends otherwise is known to have failed.
final class ListeningState: Sendable {
    private let state = Mutex<(closedOnPurpose: Bool, failure: ListenerFailure?)>((false, nil))

    var closedOnPurpose: Bool { state.withLock { $0.closedOnPurpose } }
    var failure: ListenerFailure? { state.withLock { $0.failure } }

    func closeOnPurpose() {
        state.withLock { $0.closedOnPurpose = true }
    }

    /// Records the first failure; the server then closes everything on purpose.
    func fail(_ failure: ListenerFailure) {
        state.withLock {
            $0.failure = $0.failure ?? failure
            $0.closedOnPurpose = true
        }
    }
}

/// A listener that stopped accepting connections while the server was running.
struct ListenerFailure: Error, CustomStringConvertible {
    var address: String
    var reason: String

    var description: String { "the listener on \(address) failed: \(reason)" }
}

/// A listener that could not be set up.
struct ListenError: Error, CustomStringConvertible {
    var listener: Listener
    var underlying: any Error

    var description: String { "cannot listen on \(listener): \(underlying)" }
}

extension SocketAddress {
    /// `127.0.0.1:8642`, `[::1]:8642`.
    var condenserDescription: String {
        guard let ip = ipAddress, let port else { return description }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
