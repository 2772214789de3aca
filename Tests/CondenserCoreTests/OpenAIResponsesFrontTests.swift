import Testing

@testable import CondenserCore

struct OpenAIResponsesFrontTests {
    /// A Codex-style body: instructions, a developer and a user message, a reasoning item
    /// with encrypted content, a function call and its output, a custom tool call with
    /// parts output, an image part, an unknown item, and top-level fields to leave alone.
    static let codexBody = #"""
        {"model":"gpt-5-codex","instructions":"You are Codex.","input":[\#
        {"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions>sandboxed</permissions>"}]},\#
        {"type":"message","role":"user","content":[{"type":"input_text","text":"fix the build"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},\#
        {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thinking"}],"encrypted_content":"gAAAAB-opaque=="},\#
        {"type":"function_call","id":"fc_1","name":"shell","arguments":"{\"command\":[\"swift\",\"build\"]}","call_id":"call_A"},\#
        {"type":"function_call_output","call_id":"call_A","output":"error: cannot find 'x' in scope\nerror: build failed"},\#
        {"type":"custom_tool_call","id":"ctc_1","name":"apply_patch","input":"*** Begin Patch","call_id":"call_B"},\#
        {"type":"custom_tool_call_output","call_id":"call_B","output":[{"type":"input_text","text":"Done!"},{"type":"input_image","image_url":"x"}]},\#
        {"type":"message","role":"assistant","id":"msg_1","content":[{"type":"output_text","text":"Fixed.","annotations":[],"logprobs":[]}]},\#
        {"type":"compaction","encrypted_content":"zzz"},\#
        {"role":"user","content":"thanks, now run the tests"}],\#
        "tools":[{"type":"function","name":"shell","parameters":{"type":"object"}}],"tool_choice":"auto",\#
        "parallel_tool_calls":false,"reasoning":{"effort":"medium","summary":"auto"},"store":false,"stream":true,\#
        "include":["reasoning.encrypted_content"],"prompt_cache_key":"0199a0c0-conv","previous_response_id":null}
        """#

    static func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(text, duplicateKeys: .reject)
    }

    static func request(_ text: String = codexBody) throws -> FrontRequest {
        try OpenAIResponsesFront.request(body: parse(text))
    }

    static func error(_ text: String) throws -> FrontRequestError? {
        let body = try parse(text)
        do throws(FrontRequestError) {
            _ = try OpenAIResponsesFront.request(body: body)
            return nil
        } catch {
            return error
        }
    }

    @Test func profileIsExactWithOpenAIPricing() {
        #expect(OpenAIResponsesFront.profile.name == "openai-responses")
        #expect(OpenAIResponsesFront.profile.tokenCount == .exact)
        #expect(OpenAIResponsesFront.profile.cachePricing == .openAI)
    }

    @Test func identityWriteBackGivesTheSameBytes() throws {
        let request = try Self.request()
        let original = try Self.parse(Self.codexBody).serializedBytes()
        #expect(request.body(applying: request.conversation).serializedBytes() == original)
        #expect(request.maskedViolations(forwarded: request.body).isEmpty)
        #expect(request.model == "gpt-5-codex")
        #expect(request.pinnedPrefix == 0)
    }

    @Test func everyBlockPathReadsBackItsText() throws {
        let request = try Self.request()
        let blocks = request.conversation.messages.flatMap(\.textBlocks)
        #expect(
            blocks.map(\.text) == [
                "You are Codex.", "<permissions>sandboxed</permissions>", "fix the build",
                "error: cannot find 'x' in scope\nerror: build failed", "Done!", "Fixed.", "thanks, now run the tests",
            ])
        for block in blocks {
            #expect(request.body[path: block.path] == .string(block.text), "\(block.path.rendered)")
        }
        #expect(
            blocks.map(\.path.rendered) == [
                "instructions", "input[0].content[0].text", "input[1].content[0].text", "input[4].output", "input[6].output[0].text",
                "input[7].content[0].text", "input[9].content",
            ])
    }

    @Test func oneMessagePerItemWithItsJSONAndRoles() throws {
        let request = try Self.request()
        let items = try #require(request.body.objectValue?["input"]?.arrayValue)
        #expect(request.messageValues == [.string("You are Codex.")] + items)
        #expect(
            request.conversation.messages.map(\.role) == [
                .system, .system, .user, .assistant, .assistant, .toolResult, .assistant, .toolResult, .assistant, nil, .user,
            ])
        #expect(request.conversation.messages.lastIndex { $0.role == .user } == 10)
        // The image part, the reasoning item, the calls and the compaction item are opaque.
        #expect(request.conversation.messages[2].parts.count == 2)
        #expect(request.conversation.messages[2].parts[1] == .opaque)
        #expect(request.conversation.messages[3].parts == [.opaque])
        #expect(request.conversation.messages[9].parts == [.opaque])
    }

    @Test func toolOutputsCarryTheirCallByCallID() throws {
        let request = try Self.request()
        let shell = try #require(request.conversation.messages[5].textBlocks.first)
        #expect(shell.toolName == "shell")
        #expect(shell.toolArguments == #"{"command":["swift","build"]}"#)
        #expect(shell.role == .toolResult)
        let patch = try #require(request.conversation.messages[7].textBlocks.first)
        #expect(patch.toolName == "apply_patch")
        #expect(patch.toolArguments == "*** Begin Patch")
    }

    @Test func localShellOutputsAndUnmatchedOutputs() throws {
        let request = try Self.request(
            #"""
            {"model":"m","input":[\#
            {"type":"local_shell_call","id":"ls_1","call_id":"call_L","status":"completed","action":{"type":"exec","command":["ls"]}},\#
            {"type":"local_shell_call_output","id":"ls_1","output":"a.txt"},\#
            {"type":"function_call_output","call_id":"call_none","output":"orphan"}]}
            """#)
        let shell = try #require(request.conversation.messages[1].textBlocks.first)
        #expect(shell.toolName == "local_shell")
        #expect(shell.toolArguments == #"{"type":"exec","command":["ls"]}"#)
        let orphan = try #require(request.conversation.messages[2].textBlocks.first)
        #expect(orphan.toolName == nil)
        #expect(orphan.text == "orphan")
    }

    @Test func aBareStringInputIsOneUserMessage() throws {
        let request = try Self.request(#"{"model":"gpt-4.1","instructions":"Be brief.","input":"hello there","stream":false}"#)
        #expect(request.conversation.messages.map(\.role) == [.system, .user])
        let block = try #require(request.conversation.messages[1].textBlocks.first)
        #expect(block.text == "hello there")
        #expect(block.path == [.key("input")])
        #expect(request.messageValues == [.string("Be brief."), .string("hello there")])
        #expect(request.conversation.messages.lastIndex { $0.role == .user } == 1)

        let onlyPrevious = try Self.request(#"{"model":"m","previous_response_id":"resp_1"}"#)
        #expect(onlyPrevious.conversation.messages.isEmpty)
    }

    @Test func theMaskedInvariantCatchesChangedOpaqueFields() throws {
        let request = try Self.request()
        let changes: [(JSONPath, JSONValue)] = [
            ([.key("input"), .index(2), .key("encrypted_content")], .string("gAAAAB-other==")),
            ([.key("input"), .index(3), .key("call_id")], .string("call_Z")),
            ([.key("input"), .index(4), .key("call_id")], .string("call_Z")),
            ([.key("input"), .index(3), .key("arguments")], .string("{}")),
            ([.key("input"), .index(2), .key("summary"), .index(0), .key("text")], .string("t")),
            ([.key("prompt_cache_key")], .string("other")),
        ]
        for (path, value) in changes {
            var forwarded = request.body
            let replaced = forwarded.replace(at: path, with: value)
            #expect(replaced)
            #expect(
                request.maskedViolations(forwarded: forwarded) == ["something besides the compressible texts changed"], "\(path.rendered)")
        }
        var compressed = request.conversation
        guard case .text(var block) = compressed.messages[5].parts[0] else {
            Issue.record("no text block")
            return
        }
        block.text = "error: build failed"
        compressed.messages[5].parts[0] = .text(block)
        let forwarded = request.body(applying: compressed)
        #expect(request.maskedViolations(forwarded: forwarded).isEmpty)
        #expect(forwarded[path: [.key("input"), .index(4), .key("output")]] == .string("error: build failed"))
    }

    @Test func errorsNameTheirPath() throws {
        let cases: [(String, String?, String)] = [
            (#"[1]"#, nil, "must be a JSON object"),
            (#"{"input":"x"}"#, "model", "Missing required parameter: 'model'"),
            (#"{"model":"","input":"x"}"#, "model", "non-empty string"),
            (#"{"model":"m","input":3}"#, "input", "a string or an array of input items"),
            (#"{"model":"m","instructions":["x"],"input":"x"}"#, "instructions", "expected a string, but got an array"),
            (#"{"model":"m","input":["hi"]}"#, "input[0]", "expected an input item object, but got a string"),
            (#"{"model":"m","input":[{"content":"hi"}]}"#, "input[0].type", "Missing required parameter"),
            (#"{"model":"m","input":[{"type":"message","content":"hi"}]}"#, "input[0].role", "Missing required parameter"),
            (#"{"model":"m","input":[{"type":"message","role":"user","content":5}]}"#, "input[0].content", "but got a number"),
            (
                #"{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":1}]}]}"#, "input[0].content[0].text",
                "a string"
            ),
            (#"{"model":"m","input":[{"role":"user","content":["x"]}]}"#, "input[0].content[0]", "a content part object"),
            (#"{"model":"m","input":[{"type":"function_call_output","output":"x"}]}"#, "input[0].call_id", "Missing required parameter"),
            (#"{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}"#, "input[0].output", "Missing required parameter"),
            (#"{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":{}}]}"#, "input[0].output", "an object"),
            (#"{"model":"m","input":[{"type":"function_call","call_id":7}]}"#, "input[0].call_id", "expected a string"),
            (#"{"model":"m","input":[{"type":7}]}"#, "input[0].type", "expected a string"),
            (#"{"model":"m","input":"x","stream":"yes"}"#, "stream", "expected a boolean, but got a string"),
        ]
        for (body, param, fragment) in cases {
            let error = try #require(try Self.error(body), "\(body)")
            #expect(error.param == param, "\(body)")
            #expect(error.message.contains(fragment), "\(error.message)")
            if let param { #expect(error.message.contains("'\(param)'"), "\(error.message)") }
        }
    }

    @Test func unknownRolesAndPartsAreOpaque() throws {
        let request = try Self.request(
            #"{"model":"m","input":[{"role":"critic","content":"no"},{"role":"assistant","content":[{"type":"refusal","refusal":"no"},{"type":"output_text","text":"ok"}]},{"type":"future_item","x":1}]}"#
        )
        #expect(request.conversation.messages[0].role == nil)
        #expect(request.conversation.messages[0].textBlocks.isEmpty)
        #expect(request.conversation.messages[1].parts.first == .opaque)
        #expect(request.conversation.messages[1].textBlocks.map(\.text) == ["ok"])
        #expect(request.conversation.messages[2].parts == [.opaque])
    }
}

struct OpenAIResponsesSessionTests {
    static func body(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    @Test func thePromptCacheKeyNamesTheConversation() throws {
        #expect(OpenAIResponsesFront.conversationKey(of: try Self.body(#"{"model":"m","prompt_cache_key":"019a-conv"}"#)) == "019a-conv")
        #expect(OpenAIResponsesFront.conversationKey(of: try Self.body(#"{"model":"m","prompt_cache_key":""}"#)) == nil)
        #expect(OpenAIResponsesFront.conversationKey(of: try Self.body(#"{"model":"m","prompt_cache_key":5}"#)) == nil)
        #expect(OpenAIResponsesFront.conversationKey(of: try Self.body(#"{"model":"m"}"#)) == nil)
    }

    @Test func storedHistoryIsAPreviousResponseOrAConversation() throws {
        for text in [
            #"{"previous_response_id":"resp_1"}"#, #"{"conversation":"conv_1"}"#, #"{"conversation":{"id":"conv_1"}}"#,
        ] {
            #expect(OpenAIResponsesFront.continuesStoredHistory(try Self.body(text)), "\(text)")
        }
        for text in [#"{"previous_response_id":null}"#, #"{"previous_response_id":""}"#, #"{"conversation":null}"#, #"{"store":false}"#] {
            #expect(!OpenAIResponsesFront.continuesStoredHistory(try Self.body(text)), "\(text)")
        }
    }

    @Test func streamingIsTheStreamFlag() throws {
        #expect(OpenAIResponsesFront.isStreaming(try Self.body(#"{"stream":true}"#)))
        #expect(!OpenAIResponsesFront.isStreaming(try Self.body(#"{"stream":false}"#)))
        #expect(!OpenAIResponsesFront.isStreaming(try Self.body(#"{}"#)))
    }
}

struct OpenAIResponsesWebSocketTests {
    static func upgrade(_ headers: [(String, String)]) -> Bool {
        OpenAIResponsesFront.isWebSocketUpgrade(headers: headers.map { (name: $0.0, value: $0.1) })
    }

    @Test func recognisesAWebSocketHandshake() {
        #expect(
            Self.upgrade([
                ("Host", "127.0.0.1:8642"), ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
            ]))
        #expect(Self.upgrade([("upgrade", "h2c, WebSocket")]))
        #expect(Self.upgrade([("UPGRADE", "websocket/13")]))
        #expect(Self.upgrade([("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")]))
    }

    @Test func anOrdinaryRequestIsNoUpgrade() {
        #expect(!Self.upgrade([]))
        #expect(!Self.upgrade([("Content-Type", "application/json"), ("Connection", "keep-alive")]))
        #expect(!Self.upgrade([("Upgrade", "h2c"), ("X-Note", "websocket")]))
        #expect(!Self.upgrade([("Upgrade", "websockets")]))
    }

    @Test func theRefusalSaysToUseHTTP() {
        #expect(OpenAIResponsesFront.webSocketRefusalStatus == 426)
        #expect(OpenAIResponsesFront.webSocketRefusal.message.contains("HTTP"))
        #expect(OpenAIResponsesFront.webSocketRefusal.message.contains("supports_websockets = false"))
        #expect(OpenAIResponsesFront.webSocketRefusal.code == "websocket_not_supported")
    }
}
