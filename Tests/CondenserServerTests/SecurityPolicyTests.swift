import Testing

@testable import CondenserServer

@Suite struct SecurityPolicyTests {
    static func request(_ port: Int, host: String, extra: String = "") -> String {
        "GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\(extra)Connection: close\r\n\r\n"
    }

    @Test func loopbackHostsAreServed() async throws {
        try await ProxyHarness.run { proxy in
            for host in ["localhost", "localhost:\(proxy.port)", "127.0.0.1:\(proxy.port)", "127.1.2.3", "[::1]:\(proxy.port)", "[::1]"] {
                let response = await RawHTTP.exchange(port: proxy.port, Self.request(proxy.port, host: host))
                #expect(RawHTTP.status(of: response) == 200, "Host \(host)")
            }
        }
    }

    @Test func foreignHostsAndOriginsAreRefused() async throws {
        try await ProxyHarness.run { proxy in
            for host in ["evil.example", "evil.example:\(proxy.port)", "127.0.0.1.evil.example", "10.0.0.1"] {
                let response = await RawHTTP.exchange(port: proxy.port, Self.request(proxy.port, host: host))
                #expect(RawHTTP.status(of: response) == 403, "Host \(host)")
                #expect(response.contains(#""code":"forbidden""#))
            }
            let withOrigin = await RawHTTP.exchange(
                port: proxy.port, Self.request(proxy.port, host: "localhost", extra: "Origin: http://evil.example\r\n")
            )
            #expect(RawHTTP.status(of: withOrigin) == 403)
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func configuredHostsAndOriginsAreServed() async throws {
        try await ProxyHarness.run(configure: {
            $0.allowedHosts = ["condenser.lan"]
            $0.allowedOrigins = ["http://localhost:3000"]
        }) { proxy in
            let host = await RawHTTP.exchange(port: proxy.port, Self.request(proxy.port, host: "condenser.lan:8642"))
            #expect(RawHTTP.status(of: host) == 200)
            let origin = await RawHTTP.exchange(
                port: proxy.port, Self.request(proxy.port, host: "localhost", extra: "Origin: http://localhost:3000\r\n")
            )
            #expect(RawHTTP.status(of: origin) == 200)
            let other = await RawHTTP.exchange(
                port: proxy.port, Self.request(proxy.port, host: "localhost", extra: "Origin: http://localhost:4000\r\n")
            )
            #expect(RawHTTP.status(of: other) == 403)
        }
    }
}
