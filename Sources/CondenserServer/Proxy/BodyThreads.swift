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
    /// Inflates (when gzip) and parses a body with the front's adapter, on the body
    /// threads when large; the memory allowance grows to cover an inflated body before it
    /// is parsed.
    func parseOffPool(
        _ raw: ByteBuffer, front: ServedFront, headers: HTTPFields, limit: Int, memory: BodyMemory.Hold
    ) async throws(OpenAIError) -> FrontRequest {
        var inflated: [UInt8]? = nil
        if headers[.contentEncoding] != nil {
            inflated = try await BodyThreads.run(bytes: .max) {
                Result { () throws(OpenAIError) in try Self.inflate(raw, headers: headers, limit: limit) }
            }.get()
        }
        if let inflated {
            try await memory.grow(to: (raw.readableBytes + inflated.count) * Self.chatBodyCopies)
        }
        let size = inflated?.count ?? raw.readableBytes
        return try await BodyThreads.run(bytes: size) { [inflated] in
            Result { () throws(OpenAIError) in try front.parse(raw, inflated: inflated) }
        }.get()
    }

    /// The bytes to forward for `outcome`: the client's own when nothing changed, else the
    /// compressed request serialised (on the body threads when large).
    static func forwardedBody(_ outcome: CompressionOutcome, raw: ByteBuffer) async -> ByteBuffer {
        guard outcome.changed else { return raw }
        let body = outcome.body
        return await BodyThreads.run(bytes: raw.readableBytes) { ByteBuffer(bytes: body.serializedBytes()) }
    }
}
