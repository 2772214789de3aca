/// Where the server takes connections from.
package enum Listener: Sendable, Hashable, CustomStringConvertible {
    /// An address to bind.
    case address(ListenAddress)
    /// A listening socket the process inherited (systemd socket activation).
    case descriptor(Int32)

    package var description: String {
        switch self {
        case .address(let address): return address.description
        case .descriptor(let descriptor): return "inherited fd \(descriptor)"
        }
    }
}
