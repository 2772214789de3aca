extension OpenAIResponsesFront {
    /// The conversation the client names: a non-empty `prompt_cache_key` (Codex sets it to
    /// its conversation id). Nil otherwise, and the request is fingerprinted as for chat.
    package static func conversationKey(of body: JSONValue) -> String? {
        guard case .string(let key)? = body.objectValue?["prompt_cache_key"], !key.isEmpty else { return nil }
        return key
    }

    /// Whether the provider holds the earlier history (`previous_response_id`, or a
    /// `conversation` of the Conversations API): `input` then carries only the new items,
    /// to compress at first sight, with nothing to re-cut.
    static func continuesStoredHistory(_ body: JSONValue) -> Bool {
        guard let object = body.objectValue else { return false }
        if case .string(let id)? = object["previous_response_id"], !id.isEmpty { return true }
        switch object["conversation"] {
        case nil, .null?: return false
        case .string(let id)?: return !id.isEmpty
        case .object?: return true
        default: return false
        }
    }

    /// Whether the client asked for server-sent events.
    static func isStreaming(_ body: JSONValue) -> Bool {
        body.objectValue?["stream"]?.boolValue ?? false
    }
}
