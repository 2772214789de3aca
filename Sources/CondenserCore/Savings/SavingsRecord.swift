import Foundation

/// What one proxied request saved: the unit of the journal records, `/metrics` and
/// `condenser report`. Never holds prompt text.
package struct SavingsRecord: Sendable, Hashable, Codable {
    var requestID: String
    var timestamp: Date
    package var model: String
    /// The client's `User-Agent`, or empty.
    var client: String
    /// The request path, e.g. `/v1/chat/completions`.
    var endpoint: String
    var mode: CompressionMode
    package var tokensIn: Int
    package var tokensOut: Int
    var stages: [StageSavings]
    /// The upstream's status, or nil when it was never reached.
    package var upstreamStatus: Int?
    package var compressionMicros: Int
    /// Time from sending upstream to its first response byte, when there was one.
    package var upstreamFirstByteMicros: Int?
    /// A stable hash of the conversation's opening, the same for every request of it.
    var conversationFingerprint: String
    package var failOpenReason: String?
    /// What the upstream's response said it billed, when it said so; read as the body
    /// passed, so present only on records of a response that carried `usage`.
    package var billed: BilledUsage?
    /// Whether `tokensIn` and `tokensOut` are exact or estimates (a front without a public
    /// tokenizer); the two never add up together.
    package var tokenCount: TokenCountKind = .exact

    package init(
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

    package var tokensSaved: Int { tokensIn - tokensOut }
}

/// Receives one record per proxied request. Must not block: the journal sink writes
/// a datagram, the metrics sink bumps counters.
package protocol SavingsRecorder: Sendable {
    func record(_ record: SavingsRecord)
    /// A request refused with a 503 because a queue stayed full (`reason`: `upstream_busy`
    /// or `proxy_busy`); it has no savings record.
    func recordBusy(_ reason: String)
}

extension SavingsRecorder {
    package func recordBusy(_ reason: String) {}
}
