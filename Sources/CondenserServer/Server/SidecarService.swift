import ServiceLifecycle

/// Runs a background job beside the server (watchdog pings, the STATUS line, reloads)
/// until graceful shutdown cancels it.
public struct SidecarService: Service {
    let operation: @Sendable () async -> Void

    public init(_ operation: @escaping @Sendable () async -> Void) {
        self.operation = operation
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await operation() }
    }
}
