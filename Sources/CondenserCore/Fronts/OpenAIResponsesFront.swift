/// `POST /v1/responses`: the OpenAI Responses API, as Codex CLI and the Agents SDK send it.
///
/// Text blocks: `instructions`; a bare-string `input` (the last user message); the
/// `input_text` and `output_text` parts (or string content) of `message` items; and the
/// `output` of `function_call_output`, `custom_tool_call_output` and
/// `local_shell_call_output` items, with the matching call's name and arguments as
/// context. Everything else is opaque: `reasoning` items and their `encrypted_content`,
/// the calls themselves, item and part types Condenser doesn't know, and every other
/// top-level field (`previous_response_id`, `prompt_cache_key`, `store`, `tools`...).
package enum OpenAIResponsesFront: FrontAdapter {
    package static let profile = FrontProfile(name: "openai-responses", tokenCount: .exact, cachePricing: .openAI)

    /// Validates a parsed Responses body: an object with a non-empty string `model`, an
    /// `input` that is a string or an array of item objects (or absent), a string
    /// `instructions` (or absent) and a boolean `stream` (or absent). Errors name the JSON path of what is wrong.
    ///
    /// `pinnedPrefix` is always 0: OpenAI decrypts a reasoning item's `encrypted_content`
    /// on its side and binds it to no bytes of the items before it (unlike Anthropic's
    /// signed thinking), so earlier items may be compressed as for chat.
    package static func request(body: JSONValue) throws(FrontRequestError) -> FrontRequest {
        guard case .object(let object) = body else {
            throw FrontRequestError("The request body must be a JSON object, not \(body.typeDescription).")
        }
        let model: String
        switch object["model"] {
        case nil:
            throw missing([.key("model")])
        case .string(let name)? where !name.isEmpty:
            model = name
        case let other?:
            throw invalidType([.key("model")], expected: "a non-empty string", got: other)
        }

        if let stream = object["stream"], stream.boolValue == nil, !stream.isNull {
            throw invalidType([.key("stream")], expected: "a boolean", got: stream)
        }

        var builder = ConversationBuilder()
        switch object["instructions"] {
        case nil, .null?:
            break
        case .string(let text)?:
            builder.append(
                ConversationMessage(role: .system, parts: [.text(TextBlock(text: text, role: .system, path: [.key("instructions")]))]),
                value: .string(text))
        case let other?:
            throw invalidType([.key("instructions")], expected: "a string", got: other)
        }
        switch object["input"] {
        case nil, .null?:
            // Allowed: a request may take its input from a stored prompt or conversation.
            break
        case .string(let text)?:
            builder.append(
                ConversationMessage(role: .user, parts: [.text(TextBlock(text: text, role: .user, path: [.key("input")]))]),
                value: .string(text))
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                try builder.appendItem(item, path: [.key("input"), .index(index)])
            }
        case let other?:
            throw invalidType([.key("input")], expected: "a string or an array of input items", got: other)
        }
        return FrontRequest(
            profile: profile, body: body, model: model, conversation: Conversation(messages: builder.messages),
            messageValues: builder.values, pinnedPrefix: 0)
    }

    static func missing(_ path: JSONPath) -> FrontRequestError {
        FrontRequestError("Missing required parameter: '\(path.rendered)'.", param: path.rendered, code: "missing_required_parameter")
    }

    static func invalidType(_ path: JSONPath, expected: String, got value: JSONValue) -> FrontRequestError {
        FrontRequestError(
            "Invalid type for '\(path.rendered)': expected \(expected), but got \(value.typeDescription).", param: path.rendered,
            code: "invalid_type")
    }
}
