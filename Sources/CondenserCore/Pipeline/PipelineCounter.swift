/// How a pipeline counts tokens for one encoding: block texts (for per-stage savings and
/// for keeping only changes that save) and whole requests (tokens in and out).
public struct PipelineCounter: Sendable {
    /// The encoding's name; part of memo keys, since counts decide what a stage keeps.
    public var name: String
    public var text: any TokenCounter
    public var request: @Sendable (ChatRequest) -> Int

    public init(name: String, text: any TokenCounter, request: @escaping @Sendable (ChatRequest) -> Int) {
        self.name = name
        self.text = text
        self.request = request
    }
}
