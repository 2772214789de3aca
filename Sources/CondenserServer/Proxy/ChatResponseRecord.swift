import CondenserCore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The savings record of one forwarded chat request, handed to the recorders once, when
/// the response body has ended: with the billed usage the body carried, read as it
/// passed. A body cut by either side, or never written because the client left first,
/// still gets its record, without billed figures it didn't reach.
final class ChatResponseRecord: Sendable {
    private struct State {
        var record: SavingsRecord
        var reader: BilledUsageReader
        var written = false
    }

    private let state: Mutex<State>
    private let recorders: [any SavingsRecorder]

    init(
        _ record: SavingsRecord, responseHeaders: HTTPFields, recorders: [any SavingsRecorder],
        usage: BilledUsageReader.Dialect = .openAIChat
    ) {
        let reader = BilledUsageReader(
            usage, contentType: responseHeaders[.contentType], contentEncoding: responseHeaders[.contentEncoding])
        state = Mutex(State(record: record, reader: reader))
        self.recorders = recorders
    }

    deinit {
        write()
    }

    /// `body` as it was, reading each chunk on its way and writing the record when the
    /// body ends, however it ends. A body the reader finds cut at its clean end (a
    /// Responses stream without its final event) is cut for the client too, after `onCut`.
    func observing(_ body: ResponseBody, onCut: @escaping @Sendable () -> Void = {}) -> ResponseBody {
        let observed = body.map { [self] chunk in
            state.withLock { $0.reader.consume(chunk) }
            return chunk
        }
        return ResponseBody(contentLength: body.contentLength) { [self] writer in
            do {
                try await observed.write(
                    EndCheckingWriter(base: writer) { [self] in
                        let cut = state.withLock { $0.reader.streamLacksEndOfResponse }
                        if cut { onCut() }
                        return cut
                    })
            } catch {
                write()
                throw error
            }
            write()
        }
    }

    /// Writes the record, the first time only.
    func write() {
        let record: SavingsRecord? = state.withLock { state in
            guard !state.written else { return nil }
            state.written = true
            state.record.billed = state.reader.finish()
            return state.record
        }
        guard let record else { return }
        for recorder in recorders {
            recorder.record(record)
        }
    }
}

/// Passes a body's writes on; at its end, throws `ResponseCut` instead of finishing when
/// `isCut` says the body is not whole, so the client sees it cut, not cleanly ended.
private struct EndCheckingWriter: ResponseBodyWriter {
    var base: any ResponseBodyWriter
    let isCut: @Sendable () -> Bool

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await base.write(buffer)
    }

    mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
        try await base.write(contentsOf: buffers)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        if isCut() { throw ProxyResponder.ResponseCut() }
        try await base.finish(trailingHeaders)
    }
}
