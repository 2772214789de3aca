import CondenserCore

extension CorpusSession {
    /// The model the converted requests name.
    static let anthropicModel = "claude-sonnet-4-5"

    /// The session's whole request as a Messages body (see `anthropicMessagesBody`).
    var anthropicRequest: JSONValue {
        Self.anthropicMessagesBody(request)
    }

    /// `replayRequests` as Messages bodies: each repeats the one before it message for
    /// message, byte for byte, except where the breakpoint moved.
    var anthropicReplayRequests: [JSONValue] {
        replayRequests.map(Self.anthropicMessagesBody)
    }

    /// An OpenAI chat request as Claude Code would send it to the Messages API:
    ///
    /// - leading `system` messages become `system` text blocks, `cache_control` on the last
    ///   (a later one stays a `role: "system"` message);
    /// - an assistant's text is a text block; each of its tool calls a `tool_use` (its
    ///   arguments parsed as the input) preceded by a `thinking` block whose made-up
    ///   signature is stable per call, so every request of a session repeats it;
    /// - consecutive `tool` messages are one user message of `tool_result` blocks;
    /// - a user message is a plain string, except the last message of the request, whose
    ///   last block carries the moving `cache_control` breakpoint;
    /// - `tools` become Anthropic tool definitions; `max_tokens` and `thinking` are set.
    ///
    /// Only text content parts are kept; the corpus has no others.
    static func anthropicMessagesBody(_ request: ChatRequest) -> JSONValue {
        var system: [JSONValue] = []
        var messages: [JSONObject] = []
        var pendingResults: [JSONValue] = []

        func flushResults() {
            guard !pendingResults.isEmpty else { return }
            messages.append(["role": .string("user"), "content": .array(pendingResults)])
            pendingResults = []
        }

        for message in request.messages {
            let text = message.content.text ?? ""
            switch message.role {
            case "system", "developer":
                if messages.isEmpty && pendingResults.isEmpty {
                    system.append(.object(["type": .string("text"), "text": .string(text)]))
                } else {
                    flushResults()
                    messages.append(["role": .string("system"), "content": .string(text)])
                }
            case "tool", "function":
                let id = message.object["tool_call_id"]?.stringValue ?? message.object["name"]?.stringValue ?? ""
                pendingResults.append(
                    .object(["type": .string("tool_result"), "tool_use_id": .string(id), "content": .string(text)]))
            case "assistant":
                flushResults()
                var blocks: [JSONValue] = []
                if !text.isEmpty { blocks.append(.object(["type": .string("text"), "text": .string(text)])) }
                for call in message.object["tool_calls"]?.arrayValue ?? [] {
                    guard let object = call.objectValue, let id = object["id"]?.stringValue else { continue }
                    let function = object["function"]?.objectValue
                    let name = function?["name"]?.stringValue ?? "tool"
                    blocks.append(thinkingBlock(callID: id, name: name))
                    blocks.append(
                        .object([
                            "type": .string("tool_use"), "id": .string(id), "name": .string(name),
                            "input": toolInput(function?["arguments"]?.stringValue),
                        ]))
                }
                messages.append(["role": .string("assistant"), "content": blocks.isEmpty ? .string(text) : .array(blocks)])
            default:
                flushResults()
                messages.append(["role": .string("user"), "content": .string(text)])
            }
        }
        flushResults()
        if var last = messages.popLast() {
            last["content"] = withBreakpoint(last["content"] ?? .string(""))
            messages.append(last)
        }

        var body: JSONObject = ["model": .string(anthropicModel), "max_tokens": .int(32_000)]
        if !system.isEmpty {
            system[system.count - 1] = withCacheControl(system[system.count - 1])
            body["system"] = .array(system)
        }
        body["messages"] = .array(messages.map(JSONValue.object))
        if let tools = request.tools, !tools.isEmpty {
            body["tools"] = .array(tools.compactMap(anthropicTool))
        }
        body["thinking"] = .object(["type": .string("enabled"), "budget_tokens": .int(31_999)])
        body["stream"] = .bool(true)
        return .object(body)
    }

    static let cacheControl: JSONValue = .object(["type": .string("ephemeral")])

    static func withCacheControl(_ block: JSONValue) -> JSONValue {
        guard var object = block.objectValue else { return block }
        object["cache_control"] = cacheControl
        return .object(object)
    }

    /// A content with the breakpoint on its last block; a string becomes one text block.
    static func withBreakpoint(_ content: JSONValue) -> JSONValue {
        switch content {
        case .string(let text):
            return .array([withCacheControl(.object(["type": .string("text"), "text": .string(text)]))])
        case .array(var blocks) where !blocks.isEmpty:
            blocks[blocks.count - 1] = withCacheControl(blocks[blocks.count - 1])
            return .array(blocks)
        default:
            return content
        }
    }

    /// A signed thinking block for a tool call: the same bytes whenever the call recurs.
    static func thinkingBlock(callID: String, name: String) -> JSONValue {
        let signature = (0..<4).map { StableHash("signature \($0) \(callID)").description }.joined()
        return .object([
            "type": .string("thinking"), "thinking": .string("The next step needs \(name)."),
            "signature": .string("Eq" + signature),
        ])
    }

    /// A tool call's arguments as a `tool_use` input, which must be an object.
    static func toolInput(_ arguments: String?) -> JSONValue {
        guard let arguments, !arguments.isEmpty else { return .object([:]) }
        guard let value = try? JSONParser.parse(arguments) else { return .object(["arguments": .string(arguments)]) }
        if case .object = value { return value }
        return .object(["arguments": value])
    }

    /// An OpenAI function tool as an Anthropic tool definition.
    static func anthropicTool(_ tool: JSONValue) -> JSONValue? {
        guard let function = tool.objectValue?["function"]?.objectValue, let name = function["name"] else { return nil }
        var definition: JSONObject = ["name": name]
        if let description = function["description"] { definition["description"] = description }
        definition["input_schema"] = function["parameters"] ?? .object(["type": .string("object")])
        return .object(definition)
    }
}
