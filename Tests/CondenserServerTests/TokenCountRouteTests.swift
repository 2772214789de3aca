import Foundation
import Testing

@testable import CondenserCore
@testable import CondenserServer

/// The token-count routes, Anthropic's `count_tokens` and the Responses API's
/// `input_tokens`: each counts what Condenser would forward on its front's own route,
/// upstream, without touching the conversation's state.
@Suite struct TokenCountRouteTests {
    struct Route: Sendable, CustomTestStringConvertible {
        var path: String
        var upstreamPath: String
        var send: String
        var forwarded: String
        var compressedPath: String
        var estimated: Bool
        var testDescription: String { path }
    }

    static let routes = [
        Route(
            path: "/v1/messages/count_tokens", upstreamPath: "/anthropic/v1/messages/count_tokens", send: AnthropicRouteTests.body,
            forwarded: AnthropicRouteTests.shouted, compressedPath: "/v1/messages", estimated: true),
        Route(
            path: "/v1/responses/input_tokens", upstreamPath: "/v1/responses/input_tokens", send: ResponsesRouteTests.body,
            forwarded: ResponsesRouteTests.shouted, compressedPath: "/v1/responses", estimated: false),
    ]

    @Test(arguments: routes)
    func countsWhatWouldBeForwarded(_ route: Route) async throws {
        try await AnthropicRouteTests.run { proxy in
            let answer = try await proxy.send(.POST, route.path, body: route.send.bytes, headers: [("content-type", "application/json")])
            #expect(answer.status == 200)
            let received = try #require(proxy.upstream.received.last)
            #expect(received.path == route.upstreamPath)
            #expect(received.body.text == route.forwarded)
            #expect(answer.headers["X-Condenser-Tokens-Saved"] == ["3"])
            #expect(answer.headers["X-Condenser-Token-Count"] == (route.estimated ? ["estimated"] : []))
        }
    }

    @Test(arguments: routes)
    func leavesTheConversationAsItWas(_ route: Route) async throws {
        let compressor = ReloadableCompressor(settings: PipelineSettings())
        try await AnthropicRouteTests.run(compressor: compressor) { proxy in
            let answer = try await proxy.send(.POST, route.path, body: route.send.bytes)
            #expect(answer.status == 200)
            #expect(compressor.currentPipeline.ledger.count == 0)
            _ = try await proxy.send(.POST, route.compressedPath, body: route.send.bytes)
            #expect(compressor.currentPipeline.ledger.count == 1)
        }
    }

    @Test(arguments: routes)
    func aBadBodyIsRefusedInTheFrontsShapeAndNotSent(_ route: Route) async throws {
        try await AnthropicRouteTests.run { proxy in
            let answer = try await proxy.send(.POST, route.path, body: #"{"model":"m","messages":7,"input":7}"#.bytes)
            #expect(answer.status == 400)
            let error = try #require(try JSONParser.parse(bytes: answer.body).objectValue?["error"]?.objectValue)
            #expect(error["type"]?.stringValue == "invalid_request_error")
            #expect(proxy.upstream.received.isEmpty)
        }
    }
}
