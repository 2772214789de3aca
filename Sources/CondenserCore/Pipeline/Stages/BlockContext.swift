/// What a stage knows about the block it rewrites.
package struct BlockContext: Sendable, Hashable {
    var role: BlockRole
    /// For a tool result, the function that produced it (`read_file`, `run_command`).
    var toolName: String?
    /// For a tool result, the call's arguments as JSON text (to find a path, say).
    var toolArguments: String?
    var mode: CompressionMode

    init(role: BlockRole, toolName: String? = nil, toolArguments: String? = nil, mode: CompressionMode = .safe) {
        self.role = role
        self.toolName = toolName
        self.toolArguments = toolArguments
        self.mode = mode
    }
}
