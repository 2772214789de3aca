import Testing

@testable import CondenserCore

struct JSONPathTests {
    let body: JSONValue = .object([
        "model": .string("m"),
        "messages": .array([
            .object(["role": .string("user"), "content": .array([.object(["type": .string("text"), "text": .string("hi")])])])
        ]),
    ])
    let textPath: JSONPath = [.key("messages"), .index(0), .key("content"), .index(0), .key("text")]

    @Test func readsTheValueAtAPath() {
        #expect(body[path: textPath] == .string("hi"))
        #expect(body[path: [.key("messages"), .index(1)]] == nil)
        #expect(body[path: [.key("model"), .key("x")]] == nil)
        #expect(textPath.rendered == "messages[0].content[0].text")
    }

    @Test func replacesOnlyTheValueAtAPath() {
        var changed = body
        let replaced = changed.replace(at: textPath, with: .string("bye"))
        #expect(replaced)
        #expect(changed[path: textPath] == .string("bye"))
        var back = changed
        back.replace(at: textPath, with: .string("hi"))
        #expect(back == body)
        var missing = body
        let replacedMissing = missing.replace(at: [.key("messages"), .index(4), .key("content")], with: .string("x"))
        #expect(!replacedMissing)
        #expect(missing == body)
    }

    @Test func openAIChatBlocksPointAtTheirText() throws {
        let request = try ChatRequest.parse(
            bytes: Array(
                #"{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"image_url"},{"type":"text","text":"t"}]}]}"#
                    .utf8))
        let conversation = Conversation(openAIChat: request)
        let body = JSONValue.object(request.jsonObject)
        for block in conversation.messages.flatMap(\.textBlocks) {
            #expect(body[path: block.path] == .string(block.text))
        }
        #expect(conversation.messages[1].textBlocks[0].path.rendered == "messages[1].content[1].text")
    }
}
