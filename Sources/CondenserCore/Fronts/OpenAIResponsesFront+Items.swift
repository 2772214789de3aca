extension OpenAIResponsesFront {
    /// Turns input items into conversation messages, one per item, remembering each
    /// call's name and arguments so that its output, later, carries them as context.
    struct ConversationBuilder {
        var messages: [ConversationMessage] = []
        var values: [JSONValue] = []
        private var calls: [String: (name: String?, arguments: String?)] = [:]

        mutating func append(_ message: ConversationMessage, value: JSONValue) {
            messages.append(message)
            values.append(value)
        }

        mutating func appendItem(_ value: JSONValue, path: JSONPath) throws(FrontRequestError) {
            guard case .object(let item) = value else {
                throw OpenAIResponsesFront.invalidType(path, expected: "an input item object", got: value)
            }
            let type: String?
            switch item["type"] {
            case nil: type = nil
            case .string(let name)?: type = name
            case let other?: throw OpenAIResponsesFront.invalidType(path + [.key("type")], expected: "a string", got: other)
            }
            switch type {
            case nil where item["role"] == nil:
                throw OpenAIResponsesFront.missing(path + [.key("type")])
            case nil, "message"?:
                append(try Self.message(item, path: path), value: value)
            case "function_call_output"?, "custom_tool_call_output"?, "local_shell_call_output"?:
                append(try toolOutput(item, type: type!, path: path), value: value)
            case "function_call"?:
                try remember(item, path: path, name: item["name"]?.stringValue, arguments: item["arguments"]?.stringValue)
                append(ConversationMessage(role: .assistant, parts: [.opaque]), value: value)
            case "custom_tool_call"?:
                try remember(item, path: path, name: item["name"]?.stringValue, arguments: item["input"]?.stringValue)
                append(ConversationMessage(role: .assistant, parts: [.opaque]), value: value)
            case "local_shell_call"?:
                let action = item["action"].map { $0.serialized() }
                try remember(item, path: path, name: "local_shell", arguments: action)
                // Its output may name it by the call's `id` rather than its `call_id`.
                if case .string(let id)? = item["id"], calls[id] == nil { calls[id] = ("local_shell", action) }
                append(ConversationMessage(role: .assistant, parts: [.opaque]), value: value)
            case "reasoning"?:
                append(ConversationMessage(role: .assistant, parts: [.opaque]), value: value)
            default:
                // compaction, item_reference, web search, image generation, and types
                // that don't exist yet: nobody's message, untouched.
                append(ConversationMessage(role: nil, parts: [.opaque]), value: value)
            }
        }

        private mutating func remember(_ item: JSONObject, path: JSONPath, name: String?, arguments: String?) throws(FrontRequestError) {
            switch item["call_id"] {
            case nil:
                break
            case .string(let id)?:
                calls[id] = (name, arguments)
            case let other?:
                throw OpenAIResponsesFront.invalidType(path + [.key("call_id")], expected: "a string", got: other)
            }
        }

        private static func message(_ item: JSONObject, path: JSONPath) throws(FrontRequestError) -> ConversationMessage {
            let roleName: String
            switch item["role"] {
            case nil: throw OpenAIResponsesFront.missing(path + [.key("role")])
            case .string(let name)?: roleName = name
            case let other?: throw OpenAIResponsesFront.invalidType(path + [.key("role")], expected: "a string", got: other)
            }
            let role: BlockRole?
            switch roleName {
            case "user": role = .user
            case "assistant": role = .assistant
            case "system", "developer": role = .system
            default: role = nil
            }
            let contentPath = path + [.key("content")]
            switch item["content"] {
            case nil:
                throw OpenAIResponsesFront.missing(contentPath)
            case .string(let text)?:
                guard let role else { return ConversationMessage(role: nil, parts: [.opaque]) }
                return ConversationMessage(role: role, parts: [.text(TextBlock(text: text, role: role, path: contentPath))])
            case .array(let parts)?:
                return ConversationMessage(role: role, parts: try textParts(parts, path: contentPath, role: role, tool: nil))
            case let other?:
                throw OpenAIResponsesFront.invalidType(contentPath, expected: "a string or an array of content parts", got: other)
            }
        }

        private func toolOutput(_ item: JSONObject, type: String, path: JSONPath) throws(FrontRequestError) -> ConversationMessage {
            var id: String?
            switch item["call_id"] {
            case .string(let callID)?:
                id = callID
            case nil where type == "local_shell_call_output":
                id = item["id"]?.stringValue
            case nil:
                throw OpenAIResponsesFront.missing(path + [.key("call_id")])
            case let other?:
                throw OpenAIResponsesFront.invalidType(path + [.key("call_id")], expected: "a string", got: other)
            }
            let call = id.flatMap { calls[$0] }
            let outputPath = path + [.key("output")]
            switch item["output"] {
            case nil:
                throw OpenAIResponsesFront.missing(outputPath)
            case .string(let text)?:
                let block = TextBlock(
                    text: text, role: .toolResult, toolName: call?.name, toolArguments: call?.arguments, path: outputPath)
                return ConversationMessage(role: .toolResult, parts: [.text(block)])
            case .array(let parts)?:
                return ConversationMessage(
                    role: .toolResult, parts: try Self.textParts(parts, path: outputPath, role: .toolResult, tool: call))
            case let other?:
                throw OpenAIResponsesFront.invalidType(outputPath, expected: "a string or an array of content parts", got: other)
            }
        }

        /// `input_text` and `output_text` parts are text blocks; every other part (images,
        /// files, refusals, types Condenser doesn't know) is opaque.
        private static func textParts(
            _ parts: [JSONValue], path: JSONPath, role: BlockRole?, tool: (name: String?, arguments: String?)?
        ) throws(FrontRequestError) -> [ConversationPart] {
            var result: [ConversationPart] = []
            result.reserveCapacity(parts.count)
            for (index, part) in parts.enumerated() {
                let partPath = path + [.index(index)]
                guard case .object(let object) = part else {
                    throw OpenAIResponsesFront.invalidType(partPath, expected: "a content part object", got: part)
                }
                guard let role, let type = object["type"]?.stringValue, type == "input_text" || type == "output_text" else {
                    result.append(.opaque)
                    continue
                }
                let textPath = partPath + [.key("text")]
                switch object["text"] {
                case .string(let text)?:
                    result.append(
                        .text(TextBlock(text: text, role: role, toolName: tool?.name, toolArguments: tool?.arguments, path: textPath)))
                case nil:
                    throw OpenAIResponsesFront.missing(textPath)
                case let other?:
                    throw OpenAIResponsesFront.invalidType(textPath, expected: "a string", got: other)
                }
            }
            return result
        }
    }
}
