/// One message of a chat request. Keeps the message object as it came, so fields
/// Condenser doesn't know (`name`, `refusal`, `cache_control`...) go upstream untouched.
package struct ChatMessage: Sendable, Hashable {
    /// The message object, every member in its original order.
    package var object: JSONObject

    package init(object: JSONObject) {
        self.object = object
    }

    /// A message with a role and string content.
    package init(role: String, content: String) {
        object = ["role": .string(role), "content": .string(content)]
    }

    package var role: String {
        get { object["role"]?.stringValue ?? "" }
        set { object["role"] = .string(newValue) }
    }

    package var content: ChatContent {
        get {
            switch object["content"] {
            case nil: return .absent
            case .null?: return .null
            case .string(let s)?: return .text(s)
            case .array(let parts)?: return .parts(parts)
            default: return .absent
            }
        }
        set {
            switch newValue {
            case .absent: object["content"] = nil
            case .null: object["content"] = .null
            case .text(let s): object["content"] = .string(s)
            case .parts(let parts): object["content"] = .array(parts)
            }
        }
    }

    /// `tool_calls` of an assistant message, as they came. Never rewritten by Condenser.
    package var toolCalls: [JSONValue]? { object["tool_calls"]?.arrayValue }

    /// `tool_call_id` of a tool result.
    package var toolCallID: String? { object["tool_call_id"]?.stringValue }

    /// The `name` field, if any.
    package var name: String? { object["name"]?.stringValue }
}
