import Testing

@testable import CondenserCore

@Suite struct ChatRequestTests {
    func parse(_ text: String) throws(ChatRequestError) -> ChatRequest {
        try ChatRequest.parse(bytes: Array(text.utf8))
    }

    @Test func keepsUnknownFieldsInOrder() throws {
        let body =
            #"{"model":"m","top_k":40,"messages":[{"role":"user","content":"hi","cache_control":{"type":"ephemeral"}}],"repetition_penalty":1.10,"logit_bias":{"50256":-100},"response_format":{"type":"json_object"},"stream_options":{"include_usage":true}}"#
        let request = try parse(body)
        #expect(String(decoding: request.serializedBytes(), as: UTF8.self) == body)
        #expect(request.model == "m")
        #expect(request.messages.count == 1)
    }

    @Test func replacingMessagesKeepsTheirPlace() throws {
        var request = try parse(#"{"messages":[{"role":"user","content":"a b"}],"model":"m","n":1}"#)
        request.messages[0].content = .text("ab")
        #expect(
            String(decoding: request.serializedBytes(), as: UTF8.self)
                == #"{"messages":[{"role":"user","content":"ab"}],"model":"m","n":1}"#)
    }

    @Test func readsEveryContentShape() throws {
        let request = try parse(
            #"{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"out"},{"role":"user","content":[{"type":"text","text":"one"},{"type":"image_url","image_url":{"url":"data:"}},{"type":"text","text":"two"}]},{"role":"user"}]}"#
        )
        #expect(request.messages[0].content == .null)
        #expect(request.messages[0].toolCalls?.count == 1)
        #expect(request.messages[1].toolCallID == "c1")
        #expect(request.messages[1].content == .text("out"))
        #expect(request.messages[2].content.text == "one\ntwo")
        #expect(request.messages[3].content == .absent)
    }

    @Test(arguments: [
        ("not json", nil as String?, "parse the JSON body"),
        ("[1]", nil, "must be a JSON object"),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model", "Missing required parameter: 'model'"),
        (#"{"model":7,"messages":[]}"#, "model", "expected a non-empty string"),
        (#"{"model":"m"}"#, "messages", "Missing required parameter: 'messages'"),
        (#"{"model":"m","messages":{}}"#, "messages", "expected an array"),
        (#"{"model":"m","messages":[]}"#, "messages", "empty array"),
        (#"{"model":"m","messages":["hi"]}"#, "messages[0]", "expected an object"),
        (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role", "Missing required parameter"),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":5}]}"#, "messages[1].content",
            "expected a string, an array"
        ),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "stream", "expected a boolean"),
    ])
    func refusesBadBodiesSayingWhereAndWhy(body: String, param: String?, phrase: String) {
        do {
            _ = try parse(body)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.param == param)
            #expect(error.message.contains(phrase), "\(error.message)")
        }
    }
}
