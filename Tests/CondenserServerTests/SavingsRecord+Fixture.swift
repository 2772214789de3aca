import Foundation

@testable import CondenserCore

extension SavingsRecord {
    /// A record with only what a test cares about set.
    static func fixture(
        model: String = "gpt-4o", tokensIn: Int, tokensOut: Int, upstreamStatus: Int? = 200,
        compressionMicros: Int = 1_000, failOpenReason: String? = nil
    ) -> SavingsRecord {
        SavingsRecord(
            requestID: UUID().uuidString, timestamp: Date(), model: model, client: "test", endpoint: "/v1/chat/completions",
            mode: .safe, tokensIn: tokensIn, tokensOut: tokensOut, stages: [], upstreamStatus: upstreamStatus,
            compressionMicros: compressionMicros, upstreamFirstByteMicros: nil, conversationFingerprint: "c",
            failOpenReason: failOpenReason)
    }
}
