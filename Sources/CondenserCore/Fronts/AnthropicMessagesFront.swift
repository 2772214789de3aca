/// Anthropic's Messages API (`POST /v1/messages`, and `count_tokens`): a body becomes the
/// conversation the pipeline sees, every text block carrying its path.
///
/// The conversation is the top-level `system` (when present) as a system message,
/// followed by each entry of `messages`, so conversation index = messages index + 1 when
/// there is a `system`. `role: "system"` entries in `messages` are system messages too.
///
/// Compressible texts: `text` blocks and string contents, and the content of
/// `tool_result` blocks (a string, or its `text` blocks) as tool output, with the name and
/// input of the `tool_use` it answers. Every other block (`thinking`,
/// `redacted_thinking`, `tool_use`, `image`, `document`, `search_result`, server tool
/// blocks, block types Condenser doesn't know) is opaque, as is every other member of a
/// block (`cache_control`, `citations`, signatures) and every top-level field.
///
/// A user message holding any `tool_result` is a tool-result message, not a user turn
/// (so "the last user message" is the last thing the person typed, not the last tool
/// output); the `text` blocks it also holds (Claude Code's reminders) keep the user role
/// on the block.
///
/// Roles are `user`, `assistant` and `system`; another string role passes through with
/// nothing in it compressible, for the upstream to judge.
package enum AnthropicMessagesFront: FrontAdapter {
    package static let profile = FrontProfile(name: "anthropic-messages", tokenCount: .estimated, cachePricing: .anthropic)

    /// Validates a parsed Messages body and makes its request. Errors name the JSON path.
    package static func request(body: JSONValue) throws(FrontRequestError) -> FrontRequest {
        guard case .object(let object) = body else {
            throw FrontRequestError("The request body must be a JSON object, not \(body.typeDescription).")
        }
        let model: String
        switch object["model"] {
        case nil:
            throw FrontRequestError("Missing required parameter: 'model'.", param: "model", code: "missing_required_parameter")
        case .string(let name)? where !name.isEmpty:
            model = name
        case let other?:
            throw FrontRequestError(
                "Invalid type for 'model': expected a non-empty string, but got \(describe(other)).", param: "model", code: "invalid_type")
        }
        guard let messagesValue = object["messages"] else {
            throw FrontRequestError("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard case .array(let entries) = messagesValue else {
            throw FrontRequestError(
                "Invalid type for 'messages': expected an array, but got \(messagesValue.typeDescription).", param: "messages",
                code: "invalid_type")
        }
        guard !entries.isEmpty else {
            throw FrontRequestError(
                "Invalid 'messages': empty array. Expected an array with at least one message.", param: "messages", code: "empty_array")
        }

        var builder = Builder()
        if let system = object["system"] {
            try builder.addSystem(system)
        }
        for (index, entry) in entries.enumerated() {
            try builder.addMessage(entry, index: index)
        }
        return FrontRequest(
            profile: profile, body: body, model: model, conversation: Conversation(messages: builder.messages),
            messageValues: builder.values, pinnedPrefix: builder.pinnedPrefix)
    }

    /// Block types whose presence pins every message up to theirs: Anthropic binds a
    /// signed thinking block to the exact bytes before it.
    static let thinkingTypes: Set<String> = ["thinking", "redacted_thinking"]

    static func describe(_ value: JSONValue) -> String {
        if case .string("") = value { return "an empty string" }
        return value.typeDescription
    }

    /// Collects the conversation message by message, remembering each `tool_use` so the
    /// `tool_result` answering it gets its context.
    struct Builder {
        var messages: [ConversationMessage] = []
        var values: [JSONValue] = []
        var pinnedPrefix = 0
        var calls: [String: (name: String?, input: String?)] = [:]

        mutating func addSystem(_ system: JSONValue) throws(FrontRequestError) {
            let path: JSONPath = [.key("system")]
            var parts: [ConversationPart] = []
            switch system {
            case .string(let text):
                parts.append(.text(TextBlock(text: text, role: .system, path: path)))
            case .array(let blocks):
                for (index, block) in blocks.enumerated() {
                    parts.append(try part(block, path: path + [.index(index)], role: .system))
                }
            default:
                throw FrontRequestError(
                    "Invalid type for 'system': expected a string or an array of content blocks, but got \(system.typeDescription).",
                    param: "system", code: "invalid_type")
            }
            append(ConversationMessage(role: .system, parts: parts), value: system)
        }

        mutating func addMessage(_ entry: JSONValue, index: Int) throws(FrontRequestError) {
            let path: JSONPath = [.key("messages"), .index(index)]
            guard case .object(let object) = entry else {
                throw FrontRequestError(
                    "Invalid type for '\(path.rendered)': expected an object, but got \(entry.typeDescription).", param: path.rendered,
                    code: "invalid_type")
            }
            let roleName: String
            switch object["role"] {
            case .string(let name)? where !name.isEmpty:
                roleName = name
            case nil:
                throw FrontRequestError(
                    "Missing required parameter: '\(path.rendered).role'.", param: "\(path.rendered).role",
                    code: "missing_required_parameter")
            case let other?:
                throw FrontRequestError(
                    "Invalid type for '\(path.rendered).role': expected \"user\" or \"assistant\", but got \(describe(other)).",
                    param: "\(path.rendered).role", code: "invalid_type")
            }
            let contentPath = path + [.key("content")]
            let content: JSONValue
            switch object["content"] {
            case nil:
                throw FrontRequestError(
                    "Missing required parameter: '\(contentPath.rendered)'.", param: contentPath.rendered,
                    code: "missing_required_parameter")
            case let value? where value.stringValue != nil || value.arrayValue != nil:
                content = value
            case let other?:
                throw FrontRequestError(
                    "Invalid type for '\(contentPath.rendered)': expected a string or an array of content blocks, but got \(other.typeDescription).",
                    param: contentPath.rendered, code: "invalid_type")
            }
            let role: BlockRole?
            switch roleName {
            case "user": role = .user
            case "assistant": role = .assistant
            case "system": role = .system
            default: role = nil
            }
            var parts: [ConversationPart] = []
            var messageRole = role
            switch content {
            case .string(let text):
                if let role { parts.append(.text(TextBlock(text: text, role: role, path: contentPath))) }
            case .array(let blocks):
                for (blockIndex, block) in blocks.enumerated() {
                    let blockPath = contentPath + [.index(blockIndex)]
                    // Validated whatever the role, so an unknown role's opaque blocks are still well formed.
                    let type = try blockType(block, path: blockPath)
                    if type == "tool_result", role == .user {
                        messageRole = .toolResult
                        parts += try toolResultParts(block.objectValue!, path: blockPath)
                        continue
                    }
                    if type == "tool_use" || type == "server_tool_use" || type == "mcp_tool_use", let call = block.objectValue,
                        let id = call["id"]?.stringValue
                    {
                        calls[id] = (call["name"]?.stringValue, call["input"].map { $0.serialized() })
                    }
                    if Self.isThinking(type) { pinnedPrefix = messages.count + 1 }
                    if let role {
                        parts.append(try part(block, path: blockPath, role: role))
                    } else {
                        parts.append(.opaque)
                    }
                }
            default:
                break
            }
            append(ConversationMessage(role: messageRole, parts: parts), value: entry)
        }

        private mutating func append(_ message: ConversationMessage, value: JSONValue) {
            messages.append(message)
            values.append(value)
        }

        static func isThinking(_ type: String) -> Bool { AnthropicMessagesFront.thinkingTypes.contains(type) }

        /// A block's `type`, refusing a block that is not an object with a string type.
        func blockType(_ block: JSONValue, path: JSONPath) throws(FrontRequestError) -> String {
            guard case .object(let object) = block else {
                throw FrontRequestError(
                    "Invalid type for '\(path.rendered)': expected a content block object, but got \(block.typeDescription).",
                    param: path.rendered, code: "invalid_type")
            }
            switch object["type"] {
            case .string(let type)? where !type.isEmpty:
                return type
            case nil:
                throw FrontRequestError(
                    "Missing required parameter: '\(path.rendered).type'.", param: "\(path.rendered).type",
                    code: "missing_required_parameter")
            case let other?:
                throw FrontRequestError(
                    "Invalid type for '\(path.rendered).type': expected a non-empty string, but got \(describe(other)).",
                    param: "\(path.rendered).type", code: "invalid_type")
            }
        }

        /// One block of a message or of `system`: a text block, or opaque.
        func part(_ block: JSONValue, path: JSONPath, role: BlockRole, toolName: String? = nil, toolInput: String? = nil)
            throws(FrontRequestError) -> ConversationPart
        {
            let type = try blockType(block, path: path)
            guard type == "text" else { return .opaque }
            let textPath = path + [.key("text")]
            guard case .string(let text)? = block.objectValue?["text"] else {
                let found = block.objectValue?["text"]
                throw FrontRequestError(
                    found == nil
                        ? "Missing required parameter: '\(textPath.rendered)'."
                        : "Invalid type for '\(textPath.rendered)': expected a string, but got \(found!.typeDescription).",
                    param: textPath.rendered, code: found == nil ? "missing_required_parameter" : "invalid_type")
            }
            return .text(TextBlock(text: text, role: role, toolName: toolName, toolArguments: toolInput, path: textPath))
        }

        /// The text of a `tool_result`'s content, as tool output in the context of the
        /// `tool_use` it answers.
        func toolResultParts(_ result: JSONObject, path: JSONPath) throws(FrontRequestError) -> [ConversationPart] {
            let idPath = path + [.key("tool_use_id")]
            guard case .string(let id)? = result["tool_use_id"] else {
                let found = result["tool_use_id"]
                throw FrontRequestError(
                    found == nil
                        ? "Missing required parameter: '\(idPath.rendered)'."
                        : "Invalid type for '\(idPath.rendered)': expected a string, but got \(found!.typeDescription).",
                    param: idPath.rendered, code: found == nil ? "missing_required_parameter" : "invalid_type")
            }
            let call = calls[id]
            let contentPath = path + [.key("content")]
            switch result["content"] {
            case nil, .null?:
                return []
            case .string(let text)?:
                return [
                    .text(TextBlock(text: text, role: .toolResult, toolName: call?.name, toolArguments: call?.input, path: contentPath))
                ]
            case .array(let blocks)?:
                var parts: [ConversationPart] = []
                for (index, block) in blocks.enumerated() {
                    parts.append(
                        try part(
                            block, path: contentPath + [.index(index)], role: .toolResult, toolName: call?.name, toolInput: call?.input))
                }
                return parts
            case let other?:
                throw FrontRequestError(
                    "Invalid type for '\(contentPath.rendered)': expected a string or an array of content blocks, but got \(other.typeDescription).",
                    param: contentPath.rendered, code: "invalid_type")
            }
        }
    }
}
