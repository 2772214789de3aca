/// Which part of a conversation a block of text is, so a stage knows what it may touch.
public enum BlockRole: String, Sendable, Hashable, Codable {
    case system
    case user
    case assistant
    /// The result of a tool call (OpenAI `role: "tool"`).
    case toolResult
}

/// What a stage knows about the block it rewrites.
public struct BlockContext: Sendable, Hashable {
    public var role: BlockRole
    /// For a tool result, the function that produced it (`read_file`, `run_command`).
    public var toolName: String?
    /// For a tool result, the call's arguments as JSON text (to find a path, say).
    public var toolArguments: String?
    public var mode: CompressionMode

    public init(role: BlockRole, toolName: String? = nil, toolArguments: String? = nil, mode: CompressionMode = .safe) {
        self.role = role
        self.toolName = toolName
        self.toolArguments = toolArguments
        self.mode = mode
    }
}

/// A per-block rewrite: one job, applied to one text block at a time.
///
/// Stages must be pure and deterministic: the same text and context give the same
/// output in every process, on every run, or a provider's prefix cache stops hitting.
/// A stage that has nothing to do returns its input unchanged.
public protocol TextStage: Sendable {
    /// The stage's stable name, as it appears in records and reports.
    var name: String { get }
    func apply(_ text: String, context: BlockContext) -> String
}
