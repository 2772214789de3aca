/// How a pipeline counts tokens for one encoding: block texts (for per-stage savings and
/// for keeping only changes that save) and whole requests (tokens in and out).
public struct PipelineCounter: Sendable {
    /// The encoding's name; part of memo keys, since counts decide what a stage keeps.
    public var name: String
    public var text: any TokenCounter
    /// The tokens of a request besides its messages (reply priming, tool definitions).
    public var overhead: @Sendable (ChatRequest) -> Int
    /// Counts one message as billed. A request counts its overhead plus each message, so
    /// the pipeline counts each message once and the summary boundary reuses the counts.
    public var message: @Sendable (ChatMessage) -> Int

    public init(
        name: String, text: any TokenCounter, overhead: @escaping @Sendable (ChatRequest) -> Int,
        message: @escaping @Sendable (ChatMessage) -> Int
    ) {
        self.name = name
        self.text = text
        self.overhead = overhead
        self.message = message
    }

    /// The tokens of a whole request.
    public func request(_ request: ChatRequest) -> Int {
        request.messages.reduce(overhead(request)) { $0 + message($1) }
    }
}
