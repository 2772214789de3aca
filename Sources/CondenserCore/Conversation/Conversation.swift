/// A chat conversation in a format-neutral shape: what the pipeline's stages see.
///
/// Only text blocks are compressible. Everything else a message carries (tool calls and
/// their ids, images, audio, part types Condenser doesn't know, unknown fields) is an
/// opaque part that no stage reads or writes; the adapter that made the conversation
/// writes the rewritten text blocks back into the original request and leaves the rest
/// as it came.
package struct Conversation: Sendable, Hashable {
    package var messages: [ConversationMessage]

    init(messages: [ConversationMessage]) {
        self.messages = messages
    }
}
