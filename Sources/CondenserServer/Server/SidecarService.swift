import ServiceLifecycle

/// Runs a background job beside the server (watchdog pings, the STATUS line, reloads)
/// until graceful shutdown cancels it.
struct SidecarService: Service {
    let operation: @Sendable () async -> Void

    init(_ operation: @escaping @Sendable () async -> Void) {
        self.operation = operation
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await operation() }
    }
}
