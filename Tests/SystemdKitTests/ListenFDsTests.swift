import Testing

@testable import SystemdKit

#if canImport(Glibc)
import Glibc
#endif

/// The real hand-over (fds from `systemd-socket-activate`) is tested end to end in
/// `SocketActivationTests`; here, the checks libsystemd makes before any fd is taken.
@Suite(.serialized) struct ListenFDsTests {
    @Test func notActivatedMeansNoDescriptors() throws {
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        #expect(try ListenFDs.take() == [])
    }

    @Test func descriptorsMeantForAnotherProcessAreIgnoredAndUnset() throws {
        setenv("LISTEN_FDS", "2", 1)
        setenv("LISTEN_PID", String(getpid() + 1), 1)
        #expect(try ListenFDs.take() == [])
        #expect(getenv("LISTEN_FDS") == nil)
        #expect(getenv("LISTEN_PID") == nil)
    }
}
