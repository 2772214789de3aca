import Testing

@testable import CondenserCore

@Suite struct ConversationOpenAIChatTests {
    let body =
        #"{"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:x"}},{"type":"text","text":"here"}],"x_extra":1},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"a.py\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"print(1)"},{"role":"critic","content":"odd"}],"temperature":0.5}"#

    func request() throws -> ChatRequest { try ChatRequest.parse(bytes: Array(body.utf8)) }

    @Test func mapsRolesPartsAndToolContext() throws {
        let conversation = Conversation(openAIChat: try request())
        let messages = conversation.messages
        #expect(messages.map(\.role) == [.system, .user, .assistant, .toolResult, nil])
        #expect(messages[1].parts.count == 3)
        #expect(messages[1].textBlocks.map(\.text) == ["look", "here"])
        #expect(messages[1].parts[1] == .opaque)
        #expect(messages[2].textBlocks.isEmpty)
        #expect(messages[2].parts == [.opaque])
        #expect(messages[3].textBlocks.first?.toolName == "read_file")
        #expect(messages[3].textBlocks.first?.toolArguments == #"{"path":"a.py"}"#)
        #expect(messages[4].parts.isEmpty)
        #expect(conversation.messages.lastIndex { $0.role == .user } == 1)
    }

    @Test func roundTripKeepsEverythingByteForByte() throws {
        let original = try request()
        let back = original.applying(Conversation(openAIChat: original))
        #expect(String(decoding: back.serializedBytes(), as: UTF8.self) == body)
    }

    @Test func writesTextBlocksBackInPlace() throws {
        let original = try request()
        var conversation = Conversation(openAIChat: original)
        conversation.messages[1].parts[2] = .text(TextBlock(text: "there", role: .user))
        conversation.messages[3].parts[0] = .text(TextBlock(text: "print(2)", role: .toolResult))
        let changed = original.applying(conversation)
        let expected = body.replacingOccurrences(of: #""text":"here""#, with: #""text":"there""#)
            .replacingOccurrences(of: #""content":"print(1)""#, with: #""content":"print(2)""#)
        #expect(String(decoding: changed.serializedBytes(), as: UTF8.self) == expected)
    }
}
