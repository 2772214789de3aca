/// How hard Condenser may compress a request.
package enum CompressionMode: String, Sendable, CaseIterable, Codable {
    /// Forward the request as it came.
    case off
    /// Lossless and near-lossless stages only, plus summaries far outside the recency window.
    case safe
    /// Every stage, with tighter windows.
    case aggressive
}
