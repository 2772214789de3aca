import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One blocking loopback TCP connection a test drives step by step: send a little, wait,
/// read until the server closes. Each step that blocks runs on a thread of its own, off
/// the cooperative pool the server under test needs.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`; nil if the connection can't be made.
    init?(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Sends all of `bytes` unless the connection fails; true if all went. Never blocks
    /// for long: a server that stopped reading makes it return false after `timeoutSeconds`.
    @discardableResult
    func send(_ text: String, timeoutSeconds: Int = 5) -> Bool {
        send(Array(text.utf8), timeoutSeconds: timeoutSeconds)
    }

    @discardableResult
    func send(_ bytes: [UInt8], timeoutSeconds: Int = 5) -> Bool {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// What the server sent until it closed the connection, and whether it did close (or
    /// reset it) within `timeoutSeconds`.
    func readUntilClosed(timeoutSeconds: Double) async -> (bytes: [UInt8], closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.blockingReadUntilClosed(timeoutSeconds: timeoutSeconds)) }.start()
        }
    }

    func blockingReadUntilClosed(timeoutSeconds: Double) -> (bytes: [UInt8], closed: Bool) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return (received, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, left * 1000)))
            if ready == 0 { return (received, false) }
            if ready < 0 { return (received, true) }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (received, true) }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    /// Sends `text` in pieces of `size` bytes, one every `interval`, for as long as the
    /// server keeps the connection (at most `limit`); returns how long that was.
    func drip(_ text: String, size: Int = 1, every interval: Duration, limit: Duration) async -> Duration {
        let bytes = Array(text.utf8)
        let clock = ContinuousClock()
        let start = clock.now
        var offset = 0
        while clock.now - start < limit {
            let piece = Array(bytes[offset..<min(bytes.count, offset + size)])
            guard !piece.isEmpty else { break }
            guard send(piece, timeoutSeconds: 2), !peerClosed else { break }
            offset += piece.count
            try? await Task.sleep(for: interval)
        }
        return clock.now - start
    }

    /// Keeps sending `chunk` until the server resets the connection (a send fails with
    /// EPIPE or ECONNRESET), for at most `limit`; returns how long that took, or nil if
    /// the server never did (it may have stopped reading without closing).
    func sendUntilReset(_ chunk: [UInt8], limit: Duration) async -> Duration? {
        await withCheckedContinuation { continuation in
            Thread {
                var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
                setsockopt(self.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let clock = ContinuousClock()
                let start = clock.now
                while clock.now - start < limit {
                    let sent = chunk.withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if sent < 0, errno == EPIPE || errno == ECONNRESET {
                        continuation.resume(returning: clock.now - start)
                        return
                    }
                }
                continuation.resume(returning: nil)
            }.start()
        }
    }

    /// What has arrived so far, without waiting.
    func readAvailable() -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return received
    }

    /// Whether the server closed or reset the connection (checked without blocking).
    var peerClosed: Bool {
        // POLLRDHUP (Linux), which Glibc's module map leaves out.
        let readHangUp: Int16 = 0x2000
        var poller = pollfd(fd: fd, events: Int16(POLLIN) | readHangUp, revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        return poller.revents & (readHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }
}

extension Array where Element == UInt8 {
    /// The body of a raw HTTP response (after the blank line).
    var httpBody: String {
        let text = String(decoding: self, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return "" }
        return String(text[end.upperBound...])
    }
}
