extension Conversation {
    /// The conversation of an OpenAI chat request.
    ///
    /// `system` and `developer` messages are system blocks; `tool` (and the legacy
    /// `function`) messages are tool results, linked through `tool_call_id` to the name
    /// and arguments of the call that asked for them. In a content-parts array only
    /// `text` parts are text blocks; every other part is opaque, as are `tool_calls`.
    init(openAIChat request: ChatRequest) {
        var calls: [String: (name: String?, arguments: String?)] = [:]
        var messages: [ConversationMessage] = []
        messages.reserveCapacity(request.messages.count)
        for (messageIndex, message) in request.messages.enumerated() {
            let role = Conversation.blockRole(openAIRole: message.role)
            var toolName: String?
            var toolArguments: String?
            if role == .toolResult {
                if let id = message.toolCallID, let call = calls[id] {
                    toolName = call.name
                    toolArguments = call.arguments
                } else {
                    toolName = message.name
                }
            }
            var parts: [ConversationPart] = []
            if let role {
                switch message.content {
                case .absent, .null:
                    break
                case .text(let text):
                    parts.append(
                        .text(
                            TextBlock(
                                text: text, role: role, toolName: toolName, toolArguments: toolArguments,
                                path: [.key("messages"), .index(messageIndex), .key("content")])))
                case .parts(let elements):
                    for (elementIndex, element) in elements.enumerated() {
                        if let object = element.objectValue, object["type"]?.stringValue == "text",
                            let text = object["text"]?.stringValue
                        {
                            parts.append(
                                .text(
                                    TextBlock(
                                        text: text, role: role, toolName: toolName, toolArguments: toolArguments,
                                        path: [.key("messages"), .index(messageIndex), .key("content"), .index(elementIndex), .key("text")])
                                ))
                        } else {
                            parts.append(.opaque)
                        }
                    }
                }
            }
            if let toolCalls = message.toolCalls {
                for call in toolCalls {
                    guard let object = call.objectValue, let id = object["id"]?.stringValue else { continue }
                    let function = object["function"]?.objectValue
                    calls[id] = (function?["name"]?.stringValue, function?["arguments"]?.stringValue)
                }
                parts.append(.opaque)
            }
            messages.append(ConversationMessage(role: role, parts: parts))
        }
        self.init(messages: messages)
    }

    static func blockRole(openAIRole role: String) -> BlockRole? {
        switch role {
        case "system", "developer": return .system
        case "user": return .user
        case "assistant": return .assistant
        case "tool", "function": return .toolResult
        default: return nil
        }
    }
}

extension ChatRequest {
    /// This request with the text blocks of `conversation` written back in place.
    ///
    /// `conversation` must come from `Conversation(openAIChat: self)`, with only block
    /// texts changed. Every other member of every message, and every non-text part,
    /// stays as it came; a message whose texts are unchanged is kept whole.
    func applying(_ conversation: Conversation) -> ChatRequest {
        precondition(conversation.messages.count == messages.count, "the conversation must come from this request")
        var result = self
        for (index, compressed) in conversation.messages.enumerated() {
            let texts = compressed.textBlocks.map(\.text)
            guard !texts.isEmpty else { continue }
            var message = messages[index]
            switch message.content {
            case .text(let original):
                if texts[0] != original { message.content = .text(texts[0]) }
            case .parts(var elements):
                var next = 0
                var changed = false
                for (position, element) in elements.enumerated() {
                    guard var object = element.objectValue, object["type"]?.stringValue == "text",
                        let text = object["text"]?.stringValue
                    else { continue }
                    if texts[next] != text {
                        object["text"] = .string(texts[next])
                        elements[position] = .object(object)
                        changed = true
                    }
                    next += 1
                }
                if changed { message.content = .parts(elements) }
            case .absent, .null:
                continue
            }
            result.messages[index] = message
        }
        return result
    }
}
