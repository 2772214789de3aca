import Testing

@testable import CondenserServer

/// Dot segments, raw and percent-encoded, sent over raw sockets: HTTP clients resolve
/// them before sending.
@Suite struct DotSegmentTests {
    static func request(_ target: String) -> String {
        "GET \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    }

    static let refused = [
        "/v1/../../internal/secret",
        "/v1/%2e%2e/%2e%2e/internal/secret",
        "/v1/%2E%2E/internal",
        "/v1/.%2e/internal",
        "/v1/%2e./internal",
        "/v1/./models",
        "/v1/%2e/models",
        "/v1/models/..",
        "/v1/..%2finternal",
        "/v1/..%2Finternal",
        "/v1/%2e%2e%2finternal",
        "/v1/..\\internal",
        "/v1/..%5cinternal",
        "/v1/..;x/internal",
        "/v1/models/.?x=1",
        "/v1/..",
    ]

    @Test func dotSegmentsAreRefusedBeforeUpstream() async throws {
        try await ProxyHarness.run(configure: { $0.upstreamKey = UpstreamKey(value: "sk-secret", source: "test") }) { proxy in
            for target in Self.refused {
                let response = await RawHTTP.exchange(port: proxy.port, Self.request(target))
                #expect(RawHTTP.status(of: response) == 400, "\(target): \(response.prefix(160))")
                #expect(response.contains(#""code":"invalid_path""#), "\(target)")
                #expect(response.contains("dot segment"), "\(target)")
            }
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func dotsThatAreNotSegmentsPass() async throws {
        let passed = [
            "/v1/models/gpt-4.1", "/v1/files/...", "/v1/files/.hidden", "/v1/files/a..b", "/v1/models?path=../x", "/v1/files/%2e%2e%2e",
            "/v1/files/%252e%252e",
        ]
        try await ProxyHarness.run { proxy in
            for target in passed {
                let response = await RawHTTP.exchange(port: proxy.port, Self.request(target))
                #expect(RawHTTP.status(of: response) == 200, "\(target): \(response.prefix(160))")
            }
            #expect(proxy.upstream.received.map(\.path) == passed)
        }
    }

    @Test func finderNamesTheSegment() {
        #expect(DotSegments.first(in: "/v1/../x") == "..")
        #expect(DotSegments.first(in: "/v1/./x") == ".")
        #expect(DotSegments.first(in: "/v1/x#/..") == nil)
        #expect(DotSegments.first(in: "/v1/x%2") == nil)
        #expect(DotSegments.first(in: "/v1/%") == nil)
    }
}
