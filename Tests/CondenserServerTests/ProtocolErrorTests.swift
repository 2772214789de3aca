import Foundation
import Testing

@testable import CondenserCore

/// Requests NIO's HTTP/1 parser rejects get a 400 in OpenAI's shape, then the connection closes.
@Suite struct ProtocolErrorTests {
    /// Sends `request` raw and returns the status, the JSON error object and whether the
    /// server closed the connection after it.
    static func refusal(port: Int, _ request: String) async -> (status: Int, error: JSONObject?, closed: Bool, raw: String) {
        guard let connection = RawConnection(port: port) else { return (0, nil, false, "") }
        connection.send(request)
        let (bytes, closed) = await connection.readUntilClosed(timeoutSeconds: 5)
        let raw = String(decoding: bytes, as: UTF8.self)
        let json = try? JSONParser.parse(bytes: Array(bytes.httpBody.utf8))
        guard case .object(let object)? = json, case .object(let error)? = object["error"] else {
            return (RawHTTP.status(of: raw), nil, closed, raw)
        }
        return (RawHTTP.status(of: raw), error, closed, raw)
    }

    static func expectBadRequest(port: Int, _ request: String, code: String) async {
        let (status, error, closed, raw) = await refusal(port: port, request)
        #expect(status == 400, "\(raw.prefix(300))")
        #expect(error?["type"] == .string("invalid_request_error"), "\(raw.prefix(300))")
        #expect(error?["code"] == .string(code), "\(raw.prefix(300))")
        if case .string(let message)? = error?["message"] {
            #expect(!message.isEmpty)
        } else {
            Issue.record("no message: \(raw.prefix(300))")
        }
        #expect(raw.lowercased().contains("connection: close"), "\(raw.prefix(300))")
        #expect(closed, "the connection should close after the 400")
    }

    @Test func aHeaderWithAForbiddenByteGetsAnErrorBody() async throws {
        try await ProxyHarness.run { proxy in
            await Self.expectBadRequest(
                port: proxy.port, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Bad\u{01}Name: 1\r\n\r\n", code: "invalid_header")
        }
    }

    @Test func anOversizedHeadGetsAnErrorBody() async throws {
        try await ProxyHarness.run { proxy in
            let huge = String(repeating: "a", count: 100 * 1024)
            await Self.expectBadRequest(
                port: proxy.port, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Huge: \(huge)\r\n\r\n", code: "request_header_too_large")
        }
    }

    @Test func transferEncodingWithContentLengthGetsAnErrorBody() async throws {
        try await ProxyHarness.run { proxy in
            await Self.expectBadRequest(
                port: proxy.port,
                "POST /v1/models HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
                code: "invalid_content_length")
            #expect(proxy.upstream.received.isEmpty, "a request the parser refused must not go upstream")
        }
    }

    @Test func aBrokenChunkedBodyFailsTheRequestWithAnErrorBody() async throws {
        try await ProxyHarness.run { proxy in
            await Self.expectBadRequest(
                port: proxy.port,
                "POST /v1/models HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n",
                code: "invalid_chunked_body")
            #expect(proxy.upstream.received.isEmpty, "half a body must not go upstream as if whole")
        }
    }

    /// A request served on a kept-alive connection, then garbage: the first answer is
    /// whole and the 400 comes after it.
    @Test func garbageAfterAServedRequestIsAnsweredAfterIt() async throws {
        try await ProxyHarness.run { proxy in
            let (_, _, closed, raw) = await Self.refusal(
                port: proxy.port,
                "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Bad\u{01}: 1\r\n\r\n")
            #expect(raw.hasPrefix("HTTP/1.1 200"), "\(raw.prefix(300))")
            let second = raw.range(of: "HTTP/1.1 400").map { String(raw[$0.lowerBound...]) } ?? ""
            #expect(second.contains(#""code":"invalid_header""#), "\(raw.prefix(600))")
            #expect(closed)
        }
    }
}
