/// A `POST /v1/chat/completions` body: the typed parts Condenser works on, over the
/// whole object as it came, so that every other field passes through untouched.
package struct ChatRequest: Sendable, Hashable {
    /// The request object. Its `messages` member is replaced by `messages` on output.
    package var body: JSONObject
    package var messages: [ChatMessage]

    /// Makes a request from an already-validated body. Use `parse` for client input.
    package init(body: JSONObject, messages: [ChatMessage]) {
        self.body = body
        self.messages = messages
    }

    package var model: String { body["model"]?.stringValue ?? "" }

    /// The tool definitions, as they came.
    package var tools: [JSONValue]? { body["tools"]?.arrayValue }

    /// The request object with the current messages in place of the original ones.
    var jsonObject: JSONObject {
        var object = body
        object["messages"] = .array(messages.map { .object($0.object) })
        return object
    }

    /// Compact JSON bytes of the request, members in their original order.
    package func serializedBytes() -> [UInt8] {
        JSONValue.object(jsonObject).serializedBytes()
    }

    /// Parses and validates a client's body. Errors name the field and what is wrong; an
    /// object anywhere in the body that names a key twice is refused.
    static func parse(bytes: some Collection<UInt8>) throws(ChatRequestError) -> ChatRequest {
        let value = try FrontRequestError.parseBody(bytes)
        return try validate(value)
    }

    /// Validates a parsed body: an object with a string `model` and a non-empty
    /// `messages` array of objects, each with a string `role` and a well-typed content.
    package static func validate(_ value: JSONValue) throws(ChatRequestError) -> ChatRequest {
        guard case .object(let body) = value else {
            throw ChatRequestError("The request body must be a JSON object, not \(value.typeDescription).")
        }
        switch body["model"] {
        case nil:
            throw ChatRequestError("Missing required parameter: 'model'.", param: "model", code: "missing_required_parameter")
        case .string(let model)? where !model.isEmpty:
            break
        case let other?:
            throw ChatRequestError(
                "Invalid type for 'model': expected a non-empty string, but got \(other.typeDescription).", param: "model",
                code: "invalid_type")
        }
        guard let messagesValue = body["messages"] else {
            throw ChatRequestError("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard case .array(let elements) = messagesValue else {
            throw ChatRequestError(
                "Invalid type for 'messages': expected an array, but got \(messagesValue.typeDescription).", param: "messages",
                code: "invalid_type")
        }
        guard !elements.isEmpty else {
            throw ChatRequestError(
                "Invalid 'messages': empty array. Expected an array with at least one message.", param: "messages", code: "empty_array")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let path = "messages[\(index)]"
            guard case .object(let object) = element else {
                throw ChatRequestError(
                    "Invalid type for '\(path)': expected an object, but got \(element.typeDescription).", param: path, code: "invalid_type"
                )
            }
            switch object["role"] {
            case .string(let role)? where !role.isEmpty: break
            case nil:
                throw ChatRequestError(
                    "Missing required parameter: '\(path).role'.", param: "\(path).role", code: "missing_required_parameter")
            case let other?:
                throw ChatRequestError(
                    "Invalid type for '\(path).role': expected a string, but got \(other.typeDescription).", param: "\(path).role",
                    code: "invalid_type")
            }
            switch object["content"] {
            case nil, .null?, .string?, .array?: break
            case let other?:
                throw ChatRequestError(
                    "Invalid type for '\(path).content': expected a string, an array of content parts or null, but got \(other.typeDescription).",
                    param: "\(path).content", code: "invalid_type")
            }
            if let calls = object["tool_calls"], calls.arrayValue == nil, !calls.isNull {
                throw ChatRequestError(
                    "Invalid type for '\(path).tool_calls': expected an array, but got \(calls.typeDescription).",
                    param: "\(path).tool_calls", code: "invalid_type")
            }
            messages.append(ChatMessage(object: object))
        }
        if let stream = body["stream"], stream.boolValue == nil, !stream.isNull {
            throw ChatRequestError(
                "Invalid type for 'stream': expected a boolean, but got \(stream.typeDescription).", param: "stream", code: "invalid_type")
        }
        if let tools = body["tools"], tools.arrayValue == nil, !tools.isNull {
            throw ChatRequestError(
                "Invalid type for 'tools': expected an array, but got \(tools.typeDescription).", param: "tools", code: "invalid_type")
        }
        return ChatRequest(body: body, messages: messages)
    }
}
