import CondenserCore

extension CorpusSession {
    /// The whole session as Codex CLI would send it to `POST /v1/responses`.
    var responsesBody: JSONValue {
        Self.responsesBody(of: request, sessionID: id)
    }

    /// Every request of `replayRequests` as a Codex-style Responses body: each repeats
    /// the previous one's items byte for byte and appends the new ones.
    var responsesReplayBodies: [JSONValue] {
        replayRequests.map { Self.responsesBody(of: $0, sessionID: id) }
    }

    /// A chat request as Codex CLI sends it over HTTP: `store: false` with the full history
    /// in `input`, the first system message as `instructions`, a `reasoning` item with
    /// encrypted content before each `function_call`, `function_call_output` items for
    /// tool messages, and `prompt_cache_key` naming the session. The encrypted contents
    /// and the cache key depend only on the session id and the call ids, so a longer
    /// request of the same session repeats a shorter one's items exactly.
    static func responsesBody(of request: ChatRequest, sessionID: String) -> JSONValue {
        var body = JSONObject()
        body["model"] = .string(request.model)
        var messages = request.messages[...]
        if let first = messages.first, first.role == "system", let text = Self.plainText(of: first.content) {
            body["instructions"] = .string(text)
            messages = messages.dropFirst()
        }
        var input: [JSONValue] = []
        for message in messages {
            switch message.role {
            case "assistant":
                if let parts = Self.textParts(of: message.content, type: "output_text"), !parts.isEmpty {
                    input.append(.object(["type": .string("message"), "role": .string("assistant"), "content": .array(parts)]))
                }
                for call in message.toolCalls ?? [] {
                    guard let object = call.objectValue, let id = object["id"]?.stringValue else { continue }
                    let function = object["function"]?.objectValue
                    input.append(
                        .object([
                            "type": .string("reasoning"), "summary": .array([]),
                            "encrypted_content": .string(Self.madeUpEncryptedContent(sessionID: sessionID, callID: id)),
                        ]))
                    input.append(
                        .object([
                            "type": .string("function_call"), "name": function?["name"] ?? .string(""),
                            "arguments": function?["arguments"] ?? .string("{}"), "call_id": .string(id),
                        ]))
                }
            case "tool", "function":
                let output: JSONValue
                switch message.content {
                case .text(let text): output = .string(text)
                case .parts: output = .array(Self.textParts(of: message.content, type: "input_text") ?? [])
                case .absent, .null: output = .string("")
                }
                input.append(
                    .object([
                        "type": .string("function_call_output"), "call_id": .string(message.toolCallID ?? message.name ?? ""),
                        "output": output,
                    ]))
            default:
                // user, system, developer: input text.
                let role = message.role == "system" ? "developer" : message.role
                input.append(
                    .object([
                        "type": .string("message"), "role": .string(role),
                        "content": .array(Self.textParts(of: message.content, type: "input_text") ?? []),
                    ]))
            }
        }
        body["input"] = .array(input)
        if let tools = request.tools {
            body["tools"] = .array(tools.map(Self.responsesTool))
            body["tool_choice"] = .string("auto")
            body["parallel_tool_calls"] = .bool(false)
        }
        body["reasoning"] = .object(["effort": .string("medium"), "summary": .string("auto")])
        body["store"] = .bool(false)
        body["stream"] = .bool(true)
        body["include"] = .array([.string("reasoning.encrypted_content")])
        body["prompt_cache_key"] = .string("condenser-bench-" + sessionID)
        return .object(body)
    }

    /// The text of a string content, or of a parts content whose parts are all text.
    static func plainText(of content: ChatContent) -> String? {
        switch content {
        case .text(let text): return text
        case .parts(let parts):
            let texts = parts.compactMap { $0.objectValue?["type"]?.stringValue == "text" ? $0.objectValue?["text"]?.stringValue : nil }
            return texts.count == parts.count ? texts.joined(separator: "\n") : nil
        case .absent, .null: return nil
        }
    }

    /// Chat content as Responses content parts: text parts (or a string) become `type`
    /// parts, image URLs `input_image` parts; nil for no content.
    static func textParts(of content: ChatContent, type: String) -> [JSONValue]? {
        switch content {
        case .absent, .null:
            return nil
        case .text(let text):
            return text.isEmpty && type == "output_text" ? [] : [.object(["type": .string(type), "text": .string(text)])]
        case .parts(let parts):
            return parts.compactMap { part in
                guard let object = part.objectValue else { return nil }
                if object["type"]?.stringValue == "text", let text = object["text"] {
                    return .object(["type": .string(type), "text": text])
                }
                if object["type"]?.stringValue == "image_url", let url = object["image_url"]?.objectValue?["url"] {
                    return .object(["type": .string("input_image"), "image_url": url])
                }
                return nil
            }
        }
    }

    /// A chat tool definition (`{"type":"function","function":{...}}`) in the Responses
    /// API's flat shape.
    static func responsesTool(_ tool: JSONValue) -> JSONValue {
        guard var object = tool.objectValue, let function = object["function"]?.objectValue else { return tool }
        object["function"] = nil
        for member in function.members { object[member.key] = member.value }
        return .object(object)
    }

    /// Stands in for the provider's encrypted reasoning: base64-looking, about as long as
    /// a short real one, and the same every time for the same call.
    static func madeUpEncryptedContent(sessionID: String, callID: String) -> String {
        var text = "gAAAAAB"
        var hash = StableHash(sessionID).combined(with: StableHash(callID))
        for _ in 0..<10 {
            text += hash.description
            hash = hash.combined(with: StableHash("next"))
        }
        return text + "=="
    }
}
