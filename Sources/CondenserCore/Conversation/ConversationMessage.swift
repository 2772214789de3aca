/// One message of a `Conversation`: its role and its parts, in order.
package struct ConversationMessage: Sendable, Hashable {
    /// The message's role, or nil for a role Condenser doesn't know (nothing in such a
    /// message is compressible).
    package var role: BlockRole?
    var parts: [ConversationPart]

    init(role: BlockRole?, parts: [ConversationPart]) {
        self.role = role
        self.parts = parts
    }

    /// The text blocks, in order.
    package var textBlocks: [TextBlock] {
        parts.compactMap { if case .text(let block) = $0 { block } else { nil } }
    }

    /// A 128-bit hash of everything a stage can see: role, texts and their contexts.
    /// Opaque parts count only by position, since no stage reads them.
    var contentHash: StableHash {
        var builder = StableHash.Builder()
        builder.add(role?.rawValue ?? "?")
        for part in parts {
            switch part {
            case .text(let block):
                builder.add(1)
                builder.add(block.text)
                builder.addOptional(block.toolName)
                builder.addOptional(block.toolArguments)
            case .opaque:
                builder.add(2)
            }
        }
        return builder.finalize()
    }
}

/// A part of a message: a compressible text block, or something no stage may touch.
enum ConversationPart: Sendable, Hashable {
    case text(TextBlock)
    /// A tool call, an image, a part type Condenser doesn't know.
    case opaque
}

/// A block of text and what a stage needs to know about it.
package struct TextBlock: Sendable, Hashable {
    package var text: String
    var role: BlockRole
    /// For a tool result, the function that produced it.
    var toolName: String?
    /// For a tool result, the call's arguments as JSON text.
    var toolArguments: String?
    /// Where the text's string lives in the request body the block came from: the one
    /// place an adapter writes a rewritten text back.
    var path: JSONPath

    init(text: String, role: BlockRole, toolName: String? = nil, toolArguments: String? = nil, path: JSONPath = []) {
        self.text = text
        self.role = role
        self.toolName = toolName
        self.toolArguments = toolArguments
        self.path = path
    }

    /// The stage context of this block under a mode.
    func context(mode: CompressionMode) -> BlockContext {
        BlockContext(role: role, toolName: toolName, toolArguments: toolArguments, mode: mode)
    }
}
