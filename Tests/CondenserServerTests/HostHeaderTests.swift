import Testing

@testable import CondenserServer

/// `Host` forms, sent over raw sockets: HTTP clients normalise or refuse to send them.
@Suite struct HostHeaderTests {
    static func request(host lines: [String]) -> String {
        "GET /v1/models HTTP/1.1\r\n" + lines.map { "\($0)\r\n" }.joined() + "Connection: close\r\n\r\n"
    }

    @Test func malformedMissingAndRepeatedHostsAreRefusedBeforeUpstream() async throws {
        try await ProxyHarness.run { proxy in
            let refused: [[String]] = [
                ["Host: localhost:80@evil.com"],
                ["Host: 127.0.0.1:1@evil.com"],
                ["Host: [::1]evil.com"],
                ["Host: [::1]:80evil"],
                ["Host: localhost:"],
                ["Host: localhost:65536"],
                ["Host: localhost:8x"],
                ["Host: localhost/evil"],
                ["Host: user@localhost"],
                ["Host: 127.0.0.1 evil.com"],
                ["Host: [::1"],
                ["Host: [fe80::1%25eth0]"],
                ["Host: [localhost]"],
                ["Host: "],
                [],
                ["Host: localhost", "Host: localhost"],
                ["Host: localhost", "Host: evil.com"],
            ]
            for lines in refused {
                let response = await RawHTTP.exchange(port: proxy.port, Self.request(host: lines))
                #expect(RawHTTP.status(of: response) == 400, "\(lines): \(response.prefix(120))")
                #expect(response.contains(#""code":"invalid_host""#), "\(lines)")
                #expect(response.contains(#""type":"invalid_request_error""#), "\(lines)")
            }
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func wellFormedLoopbackHostsAreServed() async throws {
        try await ProxyHarness.run { proxy in
            let served = [
                "localhost", "LOCALHOST:\(proxy.port)", "127.0.0.1", "127.0.0.1:\(proxy.port)", "[::1]", "[::1]:\(proxy.port)",
                "[0:0:0:0:0:0:0:1]:1",
            ]
            for host in served {
                let response = await RawHTTP.exchange(port: proxy.port, Self.request(host: ["Host: \(host)"]))
                #expect(RawHTTP.status(of: response) == 200, "\(host): \(response.prefix(120))")
            }
            #expect(proxy.upstream.received.count == served.count)
        }
    }

    @Test func wellFormedForeignHostsAreStillForbidden() async throws {
        try await ProxyHarness.run { proxy in
            for host in ["evil.com", "evil.com:80", "[2001:db8::1]:80", "127.0.0.1.evil.com"] {
                let response = await RawHTTP.exchange(port: proxy.port, Self.request(host: ["Host: \(host)"]))
                #expect(RawHTTP.status(of: response) == 403, "\(host)")
            }
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func parserSplitsOnlyHostAndPort() {
        #expect(HostHeader("Example.COM:8642") == HostHeader(host: "example.com", port: 8642, isIPv6: false))
        #expect(HostHeader("[::1]") == HostHeader(host: "::1", port: nil, isIPv6: true))
        #expect(HostHeader("[::FFFF:127.0.0.1]:1")?.isLoopback == true)
        #expect(HostHeader("127.255.0.9")?.isLoopback == true)
        #expect(HostHeader("128.0.0.1")?.isLoopback == false)
        #expect(HostHeader("localhost.evil.com")?.isLoopback == false)
        for bad in ["", ":80", "a:b:c", "[::1]x", "[::1]:", "a b", "a%20b", "a,b", "[1.2.3.4]", "x:00000080"] {
            #expect(HostHeader(bad) == nil, "\(bad)")
        }
    }
}
