/// The content of a chat message as the OpenAI format allows it.
package enum ChatContent: Sendable, Hashable {
    /// No `content` key at all.
    case absent
    /// `"content": null` (an assistant message that only calls tools).
    case null
    case text(String)
    /// An array of content parts (`{"type": "text", "text": ...}`, images, audio...).
    case parts([JSONValue])

    /// The text of a string content, or of every text part joined with newlines.
    package var text: String? {
        switch self {
        case .absent, .null: return nil
        case .text(let s): return s
        case .parts(let parts):
            let texts = parts.compactMap { part -> String? in
                guard let object = part.objectValue, object["type"]?.stringValue == "text" else { return nil }
                return object["text"]?.stringValue
            }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        }
    }
}
