import Testing

@testable import CondenserCore

struct FrontRequestTests {
    func request() throws -> FrontRequest {
        let chat = try ChatRequest.parse(
            bytes: Array(
                #"{"model":"m","messages":[{"role":"tool","tool_call_id":"call_1","content":"long output"},{"role":"user","content":[{"type":"text","text":"q","cache_control":{"type":"ephemeral"}}]}]}"#
                    .utf8))
        return FrontRequest(
            profile: FrontProfile(name: "test", tokenCount: .exact, cachePricing: .openAI), body: .object(chat.jsonObject),
            model: chat.model,
            conversation: Conversation(openAIChat: chat), messageValues: chat.messages.map { .object($0.object) })
    }

    @Test func writesChangedTextsBackAtTheirPaths() throws {
        let request = try request()
        var rewritten = request.conversation
        guard case .text(var block) = rewritten.messages[0].parts[0] else {
            Issue.record("no text block")
            return
        }
        block.text = "short"
        rewritten.messages[0].parts[0] = .text(block)
        let forwarded = request.body(applying: rewritten)
        #expect(forwarded[path: [.key("messages"), .index(0), .key("content")]] == .string("short"))
        #expect(request.maskedViolations(forwarded: forwarded).isEmpty)
        #expect(request.body(applying: request.conversation) == request.body)
    }

    @Test func theMaskedBodyCatchesAnyOtherChange() throws {
        let request = try request()
        var changedID = request.body
        changedID.replace(at: [.key("messages"), .index(0), .key("tool_call_id")], with: .string("call_2"))
        #expect(request.maskedViolations(forwarded: changedID) == ["something besides the compressible texts changed"])
        var droppedCache = request.body
        droppedCache.replace(at: [.key("messages"), .index(1), .key("content"), .index(0), .key("cache_control")], with: .null)
        #expect(!request.maskedViolations(forwarded: droppedCache).isEmpty)
        var emptied = request.body
        emptied.replace(at: [.key("messages"), .index(0), .key("content")], with: .string(""))
        #expect(request.maskedViolations(forwarded: emptied) == ["messages[0].content: emptied"])
    }
}
