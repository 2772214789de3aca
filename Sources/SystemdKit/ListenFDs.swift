import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Sockets handed over by systemd socket activation (`LISTEN_FDS`, `LISTEN_PID`).
package enum ListenFDs {
    /// Why inherited sockets could not be taken.
    package struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        package var description: String
    }

    /// The first inherited descriptor, as systemd numbers them.
    static let firstDescriptor: Int32 = 3

    /// Takes the listening sockets systemd passed to this process: descriptors
    /// `3..<3+n`. Empty when the process was not socket-activated, or when the
    /// variables name another process (`LISTEN_PID` is checked by libsystemd).
    /// The variables are unset so that child processes don't inherit them, and each
    /// descriptor is marked close-on-exec.
    package static func take() throws(Failure) -> [Int32] {
        let count = sd_listen_fds(1)
        guard count >= 0 else {
            throw Failure(description: "sd_listen_fds failed: \(String(cString: strerror(-count)))")
        }
        let descriptors = (0..<count).map { firstDescriptor + $0 }
        for descriptor in descriptors where sd_is_socket(descriptor, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) <= 0 {
            throw Failure(description: "inherited descriptor \(descriptor) is not a listening stream socket")
        }
        return descriptors
    }
}
