import Synchronization

/// The configuration in force, shared by every request. A reload (SIGHUP) swaps it
/// whole; a request reads it once and keeps that copy to its end. Settings fixed at
/// start (listen addresses, upstream client timeouts) take effect on restart only.
package final class ConfigurationStore: Sendable {
    private let value: Mutex<CondenserConfiguration>

    package init(_ configuration: CondenserConfiguration) {
        value = Mutex(configuration)
    }

    var current: CondenserConfiguration {
        value.withLock { $0 }
    }

    /// Puts a new configuration in force for requests that start from now on.
    func replace(with configuration: CondenserConfiguration) {
        value.withLock { $0 = configuration }
    }
}
