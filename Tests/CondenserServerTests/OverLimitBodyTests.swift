import Foundation
import Testing

@testable import CondenserServer

/// A body over `limits.max_body_bytes` gets its 413, then the connection is let go: a
/// client still sending is not left hanging in `send` with a descriptor held.
@Suite struct OverLimitBodyTests {
    static func sendOverLimit(port: Int, headers: String) async throws -> (answer: String, resetAfter: Duration?) {
        let connection = try #require(RawConnection(port: port))
        connection.send(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\(headers)"
                + "Content-Length: 100000000000\r\n\r\n")
        // Keeps sending the body, as a client uploading it would.
        let resetAfter = await connection.sendUntilReset([UInt8](repeating: 0x20, count: 65536), limit: .seconds(6))
        return (connection.readAvailable().text, resetAfter)
    }

    @Test(arguments: ["Connection: close\r\n", ""])
    func anOverLimitBodyGetsA413AndTheConnectionEnds(headers: String) async throws {
        try await ProxyHarness.run(configure: { $0.maxBodyBytes = 1000 }) { proxy in
            let (answer, resetAfter) = try await Self.sendOverLimit(port: proxy.port, headers: headers)
            #expect(RawHTTP.status(of: answer) == 413, "\(answer.prefix(300))")
            #expect(answer.contains(#""code":"request_too_large""#), "\(answer.prefix(400))")
            #expect(answer.lowercased().contains("connection: close"), "\(answer.prefix(400))")
            let after = try #require(resetAfter, "the server neither read nor closed the connection")
            #expect(after < .seconds(3), "closed after \(after)")
            #expect(proxy.upstream.received.isEmpty)
        }
    }
}
