/// Which part of a conversation a block of text is, so a stage knows what it may touch.
package enum BlockRole: String, Sendable, Hashable, Codable {
    case system
    case user
    case assistant
    /// The result of a tool call (OpenAI `role: "tool"`).
    case toolResult
}
