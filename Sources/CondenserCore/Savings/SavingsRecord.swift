import Foundation

/// What one proxied request saved: the unit of the journal records, `/metrics` and
/// `condenser report`. Never holds prompt text.
public struct SavingsRecord: Sendable, Hashable, Codable {
    public var requestID: String
    public var timestamp: Date
    public var model: String
    /// The client's `User-Agent`, or empty.
    public var client: String
    /// The request path, e.g. `/v1/chat/completions`.
    public var endpoint: String
    public var mode: CompressionMode
    public var tokensIn: Int
    public var tokensOut: Int
    public var stages: [StageSavings]
    /// The upstream's status, or nil when it was never reached.
    public var upstreamStatus: Int?
    public var compressionMicros: Int
    /// Time from sending upstream to its first response byte, when there was one.
    public var upstreamFirstByteMicros: Int?
    /// A stable hash of the conversation's opening, the same for every request of it.
    public var conversationFingerprint: String
    public var failOpenReason: String?
    /// What the upstream's response said it billed, when it said so; read as the body
    /// passed, so present only on records of a response that carried `usage`.
    public var billed: BilledUsage?
    /// Whether `tokensIn` and `tokensOut` are exact or estimates (a front without a public
    /// tokenizer); the two never add up together.
    public var tokenCount: TokenCountKind = .exact

    public init(
        requestID: String, timestamp: Date, model: String, client: String, endpoint: String,
        mode: CompressionMode, tokensIn: Int, tokensOut: Int, stages: [StageSavings],
        upstreamStatus: Int?, compressionMicros: Int, upstreamFirstByteMicros: Int?,
        conversationFingerprint: String, failOpenReason: String?, billed: BilledUsage? = nil
    ) {
        self.requestID = requestID
        self.timestamp = timestamp
        self.model = model
        self.client = client
        self.endpoint = endpoint
        self.mode = mode
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.stages = stages
        self.upstreamStatus = upstreamStatus
        self.compressionMicros = compressionMicros
        self.upstreamFirstByteMicros = upstreamFirstByteMicros
        self.conversationFingerprint = conversationFingerprint
        self.failOpenReason = failOpenReason
        self.billed = billed
    }

    public var tokensSaved: Int { tokensIn - tokensOut }
}

/// Receives one record per proxied request. Must not block: the journal sink writes
/// a datagram, the metrics sink bumps counters.
public protocol SavingsRecorder: Sendable {
    func record(_ record: SavingsRecord)
    /// A request refused with a 503 because a queue stayed full (`reason`: `upstream_busy`
    /// or `proxy_busy`); it has no savings record.
    func recordBusy(_ reason: String)
}

extension SavingsRecorder {
    public func recordBusy(_ reason: String) {}
}
