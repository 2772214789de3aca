/// How a pipeline counts tokens for one encoding: block texts (for per-stage savings and
/// for keeping only changes that save) and whole requests (tokens in and out).
public struct PipelineCounter: Sendable {
    /// The encoding's name; part of memo keys, since counts decide what a stage keeps.
    public var name: String
    public var text: any TokenCounter
    public var request: @Sendable (ChatRequest) -> Int
    /// Counts one message as billed. Counting the request counts (and caches) each
    /// message, so the summary boundary's per-message sizes come from here for free.
    public var message: @Sendable (ChatMessage) -> Int

    public init(
        name: String, text: any TokenCounter, request: @escaping @Sendable (ChatRequest) -> Int,
        message: @escaping @Sendable (ChatMessage) -> Int
    ) {
        self.name = name
        self.text = text
        self.request = request
        self.message = message
    }
}
