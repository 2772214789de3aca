import Foundation
import Testing

@testable import CondenserBench
@testable import CondenserCore

struct CorpusSessionResponsesTests {
    static let chat = #"""
        {"model":"gpt-4o","tools":[{"type":"function","function":{"name":"read_file","parameters":{"type":"object"}}}],"messages":[\#
        {"role":"system","content":"You are an agent."},\#
        {"role":"user","content":"Read a and b. The port is 5686."},\#
        {"role":"assistant","content":null,"tool_calls":[\#
        {"id":"call_a","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"a\"}"}},\#
        {"id":"call_b","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"b\"}"}}]},\#
        {"role":"tool","tool_call_id":"call_a","content":"contents of a"},\#
        {"role":"tool","tool_call_id":"call_b","content":[{"type":"text","text":"contents of b"}]},\#
        {"role":"assistant","content":"Both read.","tool_calls":[\#
        {"id":"call_c","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"c\"}"}}]},\#
        {"role":"tool","tool_call_id":"call_c","content":"contents of c"},\#
        {"role":"assistant","content":"Done."},\#
        {"role":"user","content":"Thanks."}]}
        """#

    static func session() throws -> CorpusSession {
        CorpusSession(id: "s-1", kind: "agent", request: try ChatRequest.parse(bytes: Array(chat.utf8)), needles: ["5686"])
    }

    /// Every text a chat request carries, in order, the system prompt first.
    static func chatTexts(_ request: ChatRequest) -> [String] {
        request.messages.flatMap { message -> [String] in
            switch message.content {
            case .text(let text): return message.role == "assistant" && text.isEmpty ? [] : [text]
            case .parts(let parts): return parts.compactMap { $0.objectValue?["text"]?.stringValue }
            case .absent, .null: return []
            }
        }
    }

    /// Problems with a converted body: it must parse with the Responses front, be
    /// Codex-shaped, pair every call with its output, and carry every chat text.
    static func problems(_ body: JSONValue, chat: ChatRequest) -> [String] {
        var problems: [String] = []
        let request: FrontRequest
        do {
            request = try OpenAIResponsesFront.request(body: body)
        } catch {
            return ["does not parse: \(error.message)"]
        }
        let object = body.objectValue!
        if object["store"] != .bool(false) { problems.append("store is not false") }
        if object["prompt_cache_key"]?.stringValue?.isEmpty ?? true { problems.append("no prompt_cache_key") }
        let items = object["input"]?.arrayValue ?? []
        var called: [String] = []
        var answered: [String] = []
        for (index, item) in items.enumerated() {
            let item = item.objectValue!
            switch item["type"]?.stringValue {
            case "function_call":
                called.append(item["call_id"]!.stringValue!)
                let previous = index > 0 ? items[index - 1].objectValue : nil
                if previous?["type"]?.stringValue != "reasoning" || (previous?["encrypted_content"]?.stringValue?.isEmpty ?? true) {
                    problems.append("input[\(index)]: no reasoning item with encrypted content before the call")
                }
            case "function_call_output":
                let id = item["call_id"]!.stringValue!
                if !called.contains(id) { problems.append("input[\(index)]: output of \(id) before its call") }
                answered.append(id)
            default: break
            }
        }
        if Set(called) != Set(answered) || called.count != answered.count { problems.append("calls \(called) answered \(answered)") }
        let texts = request.conversation.messages.flatMap(\.textBlocks).map(\.text)
        if texts != chatTexts(chat) { problems.append("texts differ") }
        // What a stage sees of each block is what it sees of the chat form, so both
        // forms compress alike.
        func seen(_ block: TextBlock) -> [String?] { [block.text, block.role.rawValue, block.toolName, block.toolArguments] }
        let chatBlocks = Conversation(openAIChat: chat).messages.flatMap(\.textBlocks).filter {
            !($0.role == .assistant && $0.text.isEmpty)
        }
        if request.conversation.messages.flatMap(\.textBlocks).map(seen) != chatBlocks.map(seen) {
            problems.append("blocks differ from the chat form's")
        }
        for block in request.conversation.messages.flatMap(\.textBlocks) where block.role == .toolResult && block.toolName == nil {
            problems.append("\(block.path.rendered): output without its call's name")
        }
        return problems
    }

    @Test func theConvertedSessionIsACodexStyleResponsesBody() throws {
        let session = try Self.session()
        let body = session.responsesBody
        #expect(Self.problems(body, chat: session.request) == [])
        let object = try #require(body.objectValue)
        #expect(object["instructions"] == .string("You are an agent."))
        #expect(object["tools"]?.arrayValue?.first?.objectValue?["name"] == .string("read_file"))
        let types = object["input"]?.arrayValue?.compactMap { $0.objectValue?["type"]?.stringValue }
        #expect(
            types == [
                "message", "reasoning", "function_call", "reasoning", "function_call", "function_call_output", "function_call_output",
                "message", "reasoning", "function_call", "function_call_output", "message", "message",
            ])
        let request = try OpenAIResponsesFront.request(body: body)
        let output = try #require(request.conversation.messages.flatMap(\.textBlocks).first { $0.text == "contents of b" })
        #expect(output.toolArguments == #"{"path":"b"}"#)
    }

    @Test func eachReplayBodyRepeatsThePreviousItemsExactly() throws {
        let session = try Self.session()
        let bodies = session.responsesReplayBodies
        #expect(bodies.count == session.replayRequests.count)
        #expect(bodies.count == 4)
        for (body, chat) in zip(bodies, session.replayRequests) {
            #expect(Self.problems(body, chat: chat) == [])
        }
        for (shorter, longer) in zip(bodies, bodies.dropFirst()) {
            let before = try #require(shorter.objectValue?["input"]?.arrayValue)
            let after = try #require(longer.objectValue?["input"]?.arrayValue)
            #expect(after.count > before.count)
            #expect(before.map { $0.serializedBytes() } == after.prefix(before.count).map { $0.serializedBytes() })
            #expect(shorter.objectValue?["prompt_cache_key"] == longer.objectValue?["prompt_cache_key"])
        }
        let other = CorpusSession(id: "s-2", kind: "agent", request: session.request, needles: [])
        #expect(other.responsesBody.objectValue?["prompt_cache_key"] != session.responsesBody.objectValue?["prompt_cache_key"])
    }

    @Test func everyDevSessionConverts() throws {
        let sessions = try CorpusSession.load(path: CorpusBenchTests.devCorpusPath())
        for session in sessions {
            #expect(Self.problems(session.responsesBody, chat: session.request) == [], "\(session.id)")
            let text = String(decoding: session.responsesBody.serializedBytes(), as: UTF8.self)
            for needle in session.needles {
                #expect(text.contains(needle), "\(session.id): \(needle)")
            }
        }
    }
}
