/// A configuration value that can't be used: which key, why, and where it came from.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key as written in the file, with an index for list elements (`listen[1]`).
    var key: String
    var reason: String
    /// `/etc/condenser/condenser.toml`, `environment CONDENSER_LISTEN`, `flag --listen`.
    var source: String

    init(key: String, reason: String, source: String) {
        self.key = key
        self.reason = reason
        self.source = source
    }

    package var description: String {
        key.isEmpty ? "\(source): \(reason)" : "\(key): \(reason) (\(source))"
    }
}
