import NIOHTTP1
import Testing

@testable import CondenserServer

/// Duplicate keys through the proxy, and the wording of a 502.
@Suite struct RequestHygieneTests {
    @Test func aChatBodyWithTwoMessagesKeysIsRefusedNamingIt() async throws {
        try await ProxyHarness.run { proxy in
            let body = #"{"model":"gpt-4.1","messages":[{"role":"user","content":"short"}],"messages":[{"role":"user","content":"other"}]}"#
            for path in ["/v1/chat/completions", "/v1/condenser/compress"] {
                let answer = try await proxy.send(path: path, body: body.bytes)
                #expect(answer.status == 400, "\(path)")
                #expect(answer.body.text.contains(#"duplicate key \"messages\""#), "\(path): \(answer.body.text)")
                #expect(answer.body.text.contains(#""code":"duplicate_key""#))
                #expect(answer.body.text.contains(#""param":"messages""#))
            }
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func anUnreachableUpstreamIsWordedWithBalancedParentheses() async throws {
        let port = try freePort()
        try await ProxyHarness.run(configure: { $0.upstream = UpstreamURL(validating: "http://127.0.0.1:\(port)/v1")! }) { proxy in
            let answer = try await proxy.send(body: ProxyResponderTests.oddBody.bytes)
            #expect(answer.status == 502)
            let text = answer.body.text
            #expect(text.contains("Connection refused (errno"), "\(text)")
            #expect(text.filter { $0 == "(" }.count == text.filter { $0 == ")" }.count, "\(text)")
        }
    }

    @Test func balancingDropsStrayClosersAndClosesOpeners() {
        #expect(UpstreamFailure.balanced("connect(a): Connection refused) (errno: 111)") == "connect(a): Connection refused (errno: 111)")
        #expect(UpstreamFailure.balanced("a (b") == "a (b)")
        #expect(UpstreamFailure.balanced(")(") == "()")
        #expect(UpstreamFailure.balanced("plain") == "plain")
    }
}

extension ProxyHarness {
    func send(path: String, body: [UInt8]) async throws -> (status: Int, headers: NIOHTTP1.HTTPHeaders, body: [UInt8]) {
        try await send(.POST, path, body: body)
    }
}
