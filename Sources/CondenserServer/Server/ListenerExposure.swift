import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Whether Condenser would serve beyond this machine. Loopback is 127.0.0.0/8, `::1`
/// (and IPv4-mapped `::ffff:127.x.y.z`) and `localhost`; a Unix socket is local too.
enum ListenerExposure {
    static func isLoopback(_ address: ListenAddress) -> Bool {
        let host = address.host.lowercased()
        if host == "localhost" || host == "localhost." { return true }
        if HostHeader.isLoopbackIPv4(host) { return true }
        var v6 = in6_addr()
        return inet_pton(AF_INET6, host, &v6) == 1 && HostHeader.isLoopback(v6)
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4): return UInt32(bigEndian: v4.address.sin_addr.s_addr) >> 24 == 127
        case .v6(let v6): return HostHeader.isLoopback(v6.address.sin6_addr)
        case .unixDomainSocket: return true
        }
    }

    /// The local address of an inherited listening socket (`getsockname`), or nil.
    static func localAddress(ofDescriptor descriptor: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: storage) { SocketAddress($0.load(as: sockaddr_in.self), host: "") }
        case AF_INET6:
            return withUnsafeBytes(of: storage) { SocketAddress($0.load(as: sockaddr_in6.self), host: "") }
        case AF_UNIX:
            return withUnsafeBytes(of: storage) { SocketAddress($0.load(as: sockaddr_un.self)) }
        default:
            return nil
        }
    }

    /// Why the inherited sockets may not be served under `allowRemote`, or nil. A socket
    /// unit edited to listen on `0.0.0.0` is refused like `listen = ["0.0.0.0:8642"]`.
    static func refusal(forInherited listeners: [Listener], allowRemote: Bool) -> ConfigurationError? {
        guard !allowRemote else { return nil }
        for case .descriptor(let descriptor) in listeners {
            guard let address = localAddress(ofDescriptor: descriptor) else {
                return ConfigurationError(
                    key: "listen",
                    reason: "cannot read the address of the socket systemd passed (fd \(descriptor)), so cannot tell it is loopback only",
                    source: "socket activation")
            }
            if !isLoopback(address) {
                return ConfigurationError(
                    key: "listen",
                    reason: "the socket systemd passed listens on \(address.condenserDescription), beyond this machine; "
                        + "listen on 127.0.0.1 or [::1] in the socket unit, or set security.allow_remote = true with a client token",
                    source: "socket activation")
            }
        }
        return nil
    }
}
