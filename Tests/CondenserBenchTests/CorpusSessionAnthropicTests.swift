import Testing

@testable import CondenserBench
@testable import CondenserCore

@Suite struct CorpusSessionAnthropicTests {
    static let chat = #"""
        {"model":"gpt-4o","messages":[{"role":"system","content":"You are Tern."},{"role":"system","content":"Repo rules: run make test."},{"role":"user","content":"fix test_stat (fact: ALPHA-7)"},{"role":"assistant","content":"Looking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"read_file","arguments":"{\"path\": \"AGENTS.md\"}"}},{"id":"call_2","type":"function","function":{"name":"run_command","arguments":"{\"command\": \"git status\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"# Notes (fact: BETA-9)"},{"role":"tool","tool_call_id":"call_2","content":"On branch main"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_3","type":"function","function":{"name":"run_command","arguments":"{\"command\": \"make test\"}"}}]},{"role":"tool","tool_call_id":"call_3","content":"FAILED test_stat (fact: GAMMA-3)"},{"role":"assistant","content":"The test fails on GAMMA-3."},{"role":"user","content":"go on"}],"tools":[{"type":"function","function":{"name":"read_file","description":"Read a file.","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}}]}
        """#

    func session() throws -> CorpusSession {
        CorpusSession(
            id: "s", kind: "agent", request: try ChatRequest.parse(bytes: Array(Self.chat.utf8)), needles: ["ALPHA-7", "BETA-9", "GAMMA-3"])
    }

    @Test func convertsTheWayClaudeCodeSends() throws {
        let body = try session().anthropicRequest
        #expect(
            body.serialized() == #"""
                {"model":"claude-sonnet-4-5","max_tokens":32000,"system":[{"type":"text","text":"You are Tern."},{"type":"text","text":"Repo rules: run make test.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"fix test_stat (fact: ALPHA-7)"},{"role":"assistant","content":[{"type":"text","text":"Looking."},{"type":"thinking","thinking":"The next step needs read_file.","signature":"\#(signature("call_1"))"},{"type":"tool_use","id":"call_1","name":"read_file","input":{"path":"AGENTS.md"}},{"type":"thinking","thinking":"The next step needs run_command.","signature":"\#(signature("call_2"))"},{"type":"tool_use","id":"call_2","name":"run_command","input":{"command":"git status"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"# Notes (fact: BETA-9)"},{"type":"tool_result","tool_use_id":"call_2","content":"On branch main"}]},{"role":"assistant","content":[{"type":"thinking","thinking":"The next step needs run_command.","signature":"\#(signature("call_3"))"},{"type":"tool_use","id":"call_3","name":"run_command","input":{"command":"make test"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_3","content":"FAILED test_stat (fact: GAMMA-3)"}]},{"role":"assistant","content":[{"type":"text","text":"The test fails on GAMMA-3."}]},{"role":"user","content":[{"type":"text","text":"go on","cache_control":{"type":"ephemeral"}}]}],"tools":[{"name":"read_file","description":"Read a file.","input_schema":{"type":"object","properties":{"path":{"type":"string"}}}}],"thinking":{"type":"enabled","budget_tokens":31999},"stream":true}
                """#)
    }

    func signature(_ id: String) -> String {
        let block = CorpusSession.thinkingBlock(callID: id, name: "x")
        return block.objectValue?["signature"]?.stringValue ?? ""
    }

    @Test func signaturesAreStablePerCallAndDistinct() {
        #expect(signature("call_1") == signature("call_1"))
        #expect(signature("call_1") != signature("call_2"))
        #expect(signature("call_1").utf8.count > 100)
    }

    @Test func everyReplayRequestParsesPairsItsToolsAndKeepsEveryText() throws {
        let session = try session()
        let chats = session.replayRequests
        let bodies = session.anthropicReplayRequests
        #expect(bodies.count == chats.count && bodies.count == 4)
        for (chat, body) in zip(chats, bodies) {
            try Self.check(chat: chat, body: body)
        }
    }

    @Test func eachReplayRequestRepeatsTheOneBeforeExceptTheMovedBreakpoint() throws {
        let requests = try session().anthropicReplayRequests.map { try AnthropicMessagesFront.request(body: $0) }
        for (before, after) in zip(requests, requests.dropFirst()) {
            let shared = before.messageValues.count
            // Byte for byte up to the previous breakpoint's message...
            #expect(Array(after.messageValues[..<(shared - 1)]) == Array(before.messageValues[..<(shared - 1)]))
            #expect(before.body[path: [.key("system")]] == after.body[path: [.key("system")]])
            // ...which the pipeline sees the same without its breakpoint.
            let moved = shared - 1
            #expect(before.conversation.messages[moved].contentHash == after.conversation.messages[moved].contentHash)
            #expect(before.messageValues[moved].serialized().contains("cache_control"))
            #expect(!after.messageValues[moved].serialized().contains("cache_control"))
        }
    }

    /// The corpus as Messages requests: every replay request of every session.
    @Test func theDevCorpusConvertsWhole() throws {
        let sessions = try CorpusSession.load(path: CorpusBenchTests.devCorpusPath())
        var requests = 0
        for session in sessions {
            var previous: FrontRequest?
            for (chat, body) in zip(session.replayRequests, session.anthropicReplayRequests) {
                try Self.check(chat: chat, body: body)
                requests += 1
                let request = try AnthropicMessagesFront.request(body: body)
                if let previous {
                    // Each request repeats the one before byte for byte, but for the message the breakpoint left.
                    let moved = previous.messageValues.count - 1
                    #expect(Array(request.messageValues[..<moved]) == Array(previous.messageValues[..<moved]), "\(session.id)")
                    #expect(
                        request.conversation.messages[moved].contentHash == previous.conversation.messages[moved].contentHash,
                        "\(session.id)")
                }
                previous = request
            }
            // The facts the corpus plants are in the converted whole request.
            let text = session.anthropicRequest.serialized()
            let chatText = String(decoding: session.request.serializedBytes(), as: UTF8.self)
            for needle in session.needles {
                let escaped = JSONValue.string(needle).serialized().dropFirst().dropLast()
                #expect(chatText.contains(escaped) == text.contains(escaped), "\(session.id): \(needle)")
            }
        }
        #expect(requests > sessions.count)
    }

    /// Parses with the adapter; checks that tool_use and tool_result ids pair, that each
    /// tool call's input is its arguments, and that the texts are the chat form's.
    static func check(chat: ChatRequest, body: JSONValue) throws {
        let request = try AnthropicMessagesFront.request(body: body)
        let messages = try #require(body[path: [.key("messages")]]?.arrayValue)
        var open: [String] = []
        var inputs: [String: JSONValue] = [:]
        for (index, message) in messages.enumerated() {
            let blocks = message.objectValue?["content"]?.arrayValue ?? []
            let results = blocks.compactMap {
                $0.objectValue?["type"]?.stringValue == "tool_result" ? $0.objectValue?["tool_use_id"]?.stringValue : nil
            }
            #expect(results == open, "message \(index) answers the calls before it, and no others")
            open = []
            for (position, block) in blocks.enumerated() where block.objectValue?["type"]?.stringValue == "tool_use" {
                let id = try #require(block.objectValue?["id"]?.stringValue)
                open.append(id)
                inputs[id] = block.objectValue?["input"]
                #expect(
                    position > 0 && blocks[position - 1].objectValue?["type"]?.stringValue == "thinking", "a thinking block before \(id)")
            }
        }
        // Chat requests replayed end on a user turn or tool results, never on open calls.
        #expect(open.isEmpty)
        for message in chat.messages {
            for call in message.object["tool_calls"]?.arrayValue ?? [] {
                let id = try #require(call.objectValue?["id"]?.stringValue)
                let arguments = call.objectValue?["function"]?.objectValue?["arguments"]?.stringValue ?? "{}"
                #expect(inputs[id] == (try JSONParser.parse(arguments)), "\(id): input is the call's arguments")
            }
        }
        let chatTexts = chat.messages.compactMap(\.content.text).filter { !$0.isEmpty }
        let frontTexts = request.conversation.messages.flatMap(\.textBlocks).map(\.text).filter { !$0.isEmpty }
        #expect(chatTexts.sorted() == frontTexts.sorted())
        #expect(
            request.pinnedPrefix
                == (request.conversation.messages.lastIndex { message in
                    message.parts.count > message.textBlocks.count && message.role == .assistant
                }.map { $0 + 1 } ?? 0))
    }
}
