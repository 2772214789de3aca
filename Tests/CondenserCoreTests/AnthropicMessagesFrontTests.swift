import Testing

@testable import CondenserCore

@Suite struct AnthropicMessagesFrontTests {
    /// A Claude Code-shaped body: system blocks with cache_control, a system message in
    /// `messages`, signed thinking before a tool_use, tool results with a reminder text
    /// beside them, an image, an unknown block type and top-level fields.
    static let body = #"""
        {"model":"claude-sonnet-4-5","max_tokens":32000,"system":[{"type":"text","text":"You are Claude Code."},{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>ctx</system-reminder>"},{"type":"text","text":"fix the bug"}]},{"role":"assistant","content":[{"type":"thinking","thinking":"look first","signature":"sig-A"},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls -la","timeout":5}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a.py\nb.py","is_error":false},{"type":"text","text":"<system-reminder>todo</system-reminder>"}]},{"role":"assistant","content":[{"type":"redacted_thinking","data":"ENC"},{"type":"text","text":"Reading it."},{"type":"tool_use","id":"toolu_2","name":"Read","input":{"file_path":"a.py"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"print(1)"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}}]}]},{"role":"system","content":"compact soon"},{"role":"assistant","content":[{"type":"fancy_new_block","x":1},{"type":"text","text":"Done.","citations":null}]},{"role":"user","content":[{"type":"text","text":"thanks","cache_control":{"type":"ephemeral"}}]}],"tools":[{"name":"Bash","input_schema":{"type":"object"}}],"thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"u"},"stream":true}
        """#

    func parse(_ text: String = body) throws -> FrontRequest {
        try AnthropicMessagesFront.request(body: try JSONParser.parse(text, duplicateKeys: .reject))
    }

    func refusal(_ text: String) -> FrontRequestError? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as FrontRequestError {
            return error
        } catch {
            return FrontRequestError("not a front error: \(error)")
        }
    }

    @Test func profile() {
        #expect(AnthropicMessagesFront.profile.name == "anthropic-messages")
        #expect(AnthropicMessagesFront.profile.tokenCount == .estimated)
        #expect(AnthropicMessagesFront.profile.cachePricing == .anthropic)
    }

    @Test func writingBackWithNothingChangedGivesTheSameBytes() throws {
        let request = try parse()
        #expect(request.model == "claude-sonnet-4-5")
        let back = request.body(applying: request.conversation)
        #expect(String(decoding: back.serializedBytes(), as: UTF8.self) == Self.body)
        #expect(request.maskedViolations(forwarded: back).isEmpty)
    }

    @Test func everyBlockPathReadsBackItsText() throws {
        let request = try parse()
        let blocks = request.conversation.messages.flatMap(\.textBlocks)
        #expect(blocks.count == 11)
        for block in blocks {
            #expect(request.body[path: block.path] == .string(block.text), "\(block.path.rendered)")
        }
        #expect(
            blocks.map(\.path.rendered) == [
                "system[0].text", "system[1].text", "messages[0].content[0].text", "messages[0].content[1].text",
                "messages[2].content[0].content", "messages[2].content[1].text", "messages[3].content[1].text",
                "messages[4].content[0].content[0].text", "messages[5].content", "messages[6].content[1].text",
                "messages[7].content[0].text",
            ])
    }

    @Test func rolesMessageValuesAndOpaqueBlocks() throws {
        let request = try parse()
        let messages = request.conversation.messages
        #expect(messages.map(\.role) == [.system, .user, .assistant, .toolResult, .assistant, .toolResult, .system, .assistant, .user])
        #expect(request.messageValues.count == 9)
        #expect(request.messageValues[0] == request.body[path: [.key("system")]])
        #expect(request.messageValues[3] == request.body[path: [.key("messages"), .index(2)]])
        // thinking and tool_use; redacted_thinking, text, tool_use; unknown block, text.
        #expect(messages[2].parts == [.opaque, .opaque])
        #expect(messages[4].parts.count == 3 && messages[4].parts[0] == .opaque && messages[4].parts[2] == .opaque)
        #expect(messages[5].parts.count == 2 && messages[5].parts[1] == .opaque)
        #expect(messages[7].parts[0] == .opaque)
        // The last user message is the person's last turn, not the last tool output.
        #expect(request.conversation.messages.lastIndex { $0.role == .user } == 8)
    }

    @Test func toolResultsCarryTheirCallsContextAndTheirReminderStaysUserText() throws {
        let request = try parse()
        let results = request.conversation.messages[3].textBlocks
        #expect(results[0].role == .toolResult)
        #expect(results[0].text == "a.py\nb.py")
        #expect(results[0].toolName == "Bash")
        #expect(results[0].toolArguments == #"{"command":"ls -la","timeout":5}"#)
        #expect(results[1].role == .user)
        #expect(results[1].toolName == nil)
        let read = request.conversation.messages[5].textBlocks[0]
        #expect(read.role == .toolResult && read.toolName == "Read" && read.toolArguments == #"{"file_path":"a.py"}"#)
        // The system prompt and system messages are system blocks.
        #expect(request.conversation.messages[0].textBlocks.allSatisfy { $0.role == .system })
        #expect(request.conversation.messages[6].textBlocks.map(\.role) == [.system])
    }

    @Test func aToolResultWithoutItsCallHasNoContext() throws {
        let request = try parse(
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"gone","content":"out"}]}]}"#)
        let block = try #require(request.conversation.messages[0].textBlocks.first)
        #expect(block.role == .toolResult && block.toolName == nil && block.toolArguments == nil)
        #expect(request.conversation.messages[0].role == .toolResult)
    }

    @Test func pinnedPrefixIsOnePastTheLastThinkingMessage() throws {
        // The system message shifts conversation indexes by one: redacted_thinking sits in
        // messages[3], conversation message 4.
        #expect(try parse().pinnedPrefix == 5)
        let plain = try parse(#"{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}"#)
        #expect(plain.pinnedPrefix == 0)
        let thinking = try parse(
            #"{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"yo"}]},{"role":"user","content":"more"}]}"#
        )
        #expect(thinking.pinnedPrefix == 2)
    }

    @Test func theMovingBreakpointGivesTheSameBlocks() throws {
        let plain = try parse(
            #"{"model":"m","messages":[{"role":"user","content":"a long question"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"out"}]}]}"#
        )
        let marked = try parse(
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a long question","cache_control":{"type":"ephemeral"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"out"}],"cache_control":{"type":"ephemeral"}}]}]}"#
        )
        for index in 0..<2 {
            let a = plain.conversation.messages[index]
            let b = marked.conversation.messages[index]
            #expect(a.textBlocks.map(\.text) == b.textBlocks.map(\.text))
            #expect(a.textBlocks.map(\.role) == b.textBlocks.map(\.role))
            #expect(a.role == b.role)
            #expect(a.contentHash == b.contentHash)
            #expect(a.textBlocks.map(\.path) != b.textBlocks.map(\.path))
        }
    }

    @Test func theMaskedInvariantCatchesSignaturesToolIDsAndCacheControl() throws {
        let request = try parse()
        func changed(_ path: JSONPath, _ value: JSONValue) -> [String] {
            var body = request.body
            let replaced = body.replace(at: path, with: value)
            #expect(replaced, "\(path.rendered) exists")
            return request.maskedViolations(forwarded: body)
        }
        let violation = ["something besides the compressible texts changed"]
        #expect(changed([.key("messages"), .index(1), .key("content"), .index(0), .key("signature")], .string("sig-B")) == violation)
        #expect(changed([.key("messages"), .index(3), .key("content"), .index(0), .key("data")], .string("ENC2")) == violation)
        #expect(changed([.key("messages"), .index(1), .key("content"), .index(1), .key("id")], .string("toolu_9")) == violation)
        #expect(changed([.key("messages"), .index(2), .key("content"), .index(0), .key("tool_use_id")], .string("toolu_9")) == violation)
        #expect(changed([.key("system"), .index(1), .key("cache_control")], .null) == violation)
        #expect(
            changed([.key("messages"), .index(7), .key("content"), .index(0), .key("cache_control"), .key("type")], .string("x"))
                == violation)
        // A compressible text may change.
        #expect(changed([.key("messages"), .index(2), .key("content"), .index(0), .key("content")], .string("2 files")).isEmpty)
        #expect(changed([.key("messages"), .index(5), .key("content")], .string("")) == ["messages[5].content: emptied"])
    }

    @Test func writesRewrittenTextsBackAtTheirPaths() throws {
        let request = try parse()
        var rewritten = request.conversation
        guard case .text(var block) = rewritten.messages[5].parts[0] else {
            Issue.record("no tool result text")
            return
        }
        block.text = "print(2)"
        rewritten.messages[5].parts[0] = .text(block)
        let forwarded = request.body(applying: rewritten)
        let expected = Self.body.replacingOccurrences(
            of: #"{"type":"text","text":"print(1)"}"#, with: #"{"type":"text","text":"print(2)"}"#)
        #expect(expected != Self.body)
        #expect(String(decoding: forwarded.serializedBytes(), as: UTF8.self) == expected)
        #expect(request.maskedViolations(forwarded: forwarded).isEmpty)
    }

    @Test func validationErrorsNameTheirPath() {
        let cases: [(String, String?, String)] = [
            (#"[1]"#, nil, "must be a JSON object"),
            (#"{"messages":[]}"#, "model", "Missing required parameter: 'model'"),
            (#"{"model":"","messages":[]}"#, "model", "an empty string"),
            (#"{"model":"m"}"#, "messages", "Missing required parameter: 'messages'"),
            (#"{"model":"m","messages":{}}"#, "messages", "expected an array"),
            (#"{"model":"m","messages":[]}"#, "messages", "empty array"),
            (#"{"model":"m","messages":[1]}"#, "messages[0]", "expected an object"),
            (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role", "Missing required parameter"),
            (#"{"model":"m","messages":[{"role":3,"content":"x"}]}"#, "messages[0].role", "a number"),
            (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content", "Missing required parameter"),
            (#"{"model":"m","messages":[{"role":"user","content":null}]}"#, "messages[0].content", "but got null"),
            (#"{"model":"m","messages":[{"role":"user","content":["x"]}]}"#, "messages[0].content[0]", "content block object"),
            (#"{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}"#, "messages[0].content[0].type", "Missing"),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text", "Missing"),
            (
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":[]}]}]}"#, "messages[0].content[0].text",
                "an array"
            ),
            (
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]}"#,
                "messages[0].content[0].tool_use_id", "Missing"
            ),
            (
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":7}]}]}"#,
                "messages[0].content[0].content", "a number"
            ),
            (
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":1}]}]}]}"#,
                "messages[0].content[0].content[0].text", "a number"
            ),
            (#"{"model":"m","system":5,"messages":[{"role":"user","content":"x"}]}"#, "system", "a string or an array"),
            (#"{"model":"m","system":[{"type":"text"}],"messages":[{"role":"user","content":"x"}]}"#, "system[0].text", "Missing"),
        ]
        for (body, param, fragment) in cases {
            let error = refusal(body)
            #expect(error != nil, "\(body) is refused")
            #expect(error?.param == param, "\(body)")
            #expect(error?.message.contains(fragment) == true, "\(body): \(error?.message ?? "")")
            if let param { #expect(error?.message.contains("'\(param)'") == true, "\(body): the message names \(param)") }
        }
    }

    @Test func bytesWithADuplicateKeyOrBadJSONAreRefused() throws {
        let duplicate = #"{"model":"m","messages":[{"role":"user","content":"a","content":"b"}]}"#
        #expect(throws: FrontRequestError.self) { try AnthropicMessagesFront.parse(bytes: Array(duplicate.utf8)) }
        do {
            _ = try AnthropicMessagesFront.parse(bytes: Array(duplicate.utf8))
        } catch {
            #expect(error.code == "duplicate_key" && error.message.contains("\"content\""))
        }
        do {
            _ = try AnthropicMessagesFront.parse(bytes: Array(#"{"model":"#.utf8))
        } catch {
            #expect(error.code == "invalid_json")
        }
        #expect(try AnthropicMessagesFront.parse(bytes: Array(Self.body.utf8)).body == (try parse()).body)
    }

    @Test func anUnknownRolePassesWithNothingCompressible() throws {
        let request = try parse(#"{"model":"m","messages":[{"role":"critic","content":"odd"},{"role":"user","content":"hi"}]}"#)
        #expect(request.conversation.messages[0].role == nil)
        #expect(request.conversation.messages[0].textBlocks.isEmpty)
        #expect(request.conversation.messages[1].textBlocks.map(\.text) == ["hi"])
    }
}
