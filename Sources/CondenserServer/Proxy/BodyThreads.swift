import CondenserCore
import HTTPTypes
import NIOCore

/// Where a large chat body is parsed and a compressed one serialised: threads of their
/// own, at the relay's priority, so that a few hundred kilobytes of JSON never hold a
/// cooperative thread a stream's relay is waiting for (a task is never preempted; a
/// thread is). A small body is handled in place: less work than the hop.
enum BodyThreads {
    static let threads = WorkerThreads(name: "condenser-body")
    /// Bodies smaller than this are handled on the calling task.
    static let inPlaceMaximumBytes = 64 << 10

    /// Runs `work`, on the body threads when `bytes` is large, waiting suspended; in
    /// place when their queue is full.
    static func run<T: Sendable>(bytes: Int, _ work: @escaping @Sendable () -> T) async -> T {
        guard bytes >= inPlaceMaximumBytes else { return work() }
        return await withCheckedContinuation { continuation in
            if !threads.submit({ continuation.resume(returning: work()) }) {
                continuation.resume(returning: work())
            }
        }
    }
}

extension ProxyResponder {
    /// `parseChat`, on the body threads for a large body.
    func parseChatOffPool(_ raw: ByteBuffer, headers: HTTPFields, limit: Int) async throws(OpenAIError) -> ChatRequest {
        let result = await BodyThreads.run(bytes: raw.readableBytes) { [self] in
            Result { () throws(OpenAIError) in try parseChat(raw, headers: headers, limit: limit) }
        }
        return try result.get()
    }

    /// The bytes to forward for `outcome`: the client's own when nothing changed, else the
    /// compressed request serialised (on the body threads when large).
    static func forwardedBody(_ outcome: CompressionOutcome, raw: ByteBuffer) async -> ByteBuffer {
        guard outcome.changed else { return raw }
        let request = outcome.request
        return await BodyThreads.run(bytes: raw.readableBytes) { ByteBuffer(bytes: request.serializedBytes()) }
    }
}
