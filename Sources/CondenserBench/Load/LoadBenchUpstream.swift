import CondenserCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The fake upstream of `condenser bench load`: answers a streamed chat request with
/// numbered `chat.completion.chunk` events paced over `streamDuration`, and any other chat
/// request with a small completion at once.
///
/// A streamed request names its stream in the `user` field, which the chunk ids echo, so
/// the client can tell a chunk of its own stream from a stray one.
final class LoadBenchUpstream: Sendable {
    let chunkCount: Int
    let chunkInterval: Duration

    /// Totals over the requests received, for the soak's report.
    struct Received: Sendable {
        var requests = 0
        var bytes = 0
        /// Bodies that were not a JSON object: something the proxy forwarded broke.
        var invalidBodies = 0
    }
    let received = Mutex(Received())

    init(streamDuration: Duration, chunkInterval: Duration) {
        self.chunkInterval = chunkInterval
        self.chunkCount = max(1, Int(streamDuration / chunkInterval))
    }

    /// Serves on a free loopback port until `run` is cancelled or shut down; `onPort` gets
    /// the port once it listens.
    func application(logger: Logger, onPort: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        Application(
            responder: CallbackResponder { (request: Request, _: BasicRequestContext) in try await self.respond(request) },
            // 1,000 connections arrive at once; the default backlog of 256 would drop SYNs
            // and make the direct run, the baseline, look slow.
            configuration: .init(address: .hostname("127.0.0.1", port: 0), backlog: 4096),
            onServerRunning: { onPort($0.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    private func respond(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
        let parsed = try? JSONParser.parse(bytes: body.readableBytesView).objectValue
        received.withLock {
            $0.requests += 1
            $0.bytes += body.readableBytes
            if parsed == nil { $0.invalidBodies += 1 }
        }
        guard let parsed else {
            return Response(
                status: .badRequest, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: #"{"error":{"message":"bench upstream: the body is not a JSON object","type":"invalid_request_error"}}"#))
            )
        }
        guard parsed["stream"]?.boolValue == true else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ProxyBench.completion))
        }
        let stream = parsed["user"]?.stringValue ?? ""
        let count = chunkCount
        let interval = chunkInterval
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                // Paced against the start, not chunk to chunk, so that a late wake-up does
                // not lengthen the stream: a stream longer than its pacing is delay added
                // downstream, not here.
                let start = ContinuousClock.now
                for sequence in 0..<count {
                    try await writer.write(ByteBuffer(string: Self.event(stream: stream, sequence: sequence)))
                    try await Task.sleep(until: start + interval * (sequence + 1), clock: .continuous)
                }
                try await writer.write(ByteBuffer(string: Self.event(stream: stream, sequence: nil) + "data: [DONE]\n\n"))
                try await writer.finish(nil)
            }
        )
    }

    /// One event: chunk `sequence` carries the content "`sequence` "; nil is the closing
    /// chunk with an empty delta and `finish_reason` "stop".
    static func event(stream: String, sequence: Int?) -> String {
        let choice: String
        if let sequence {
            let role = sequence == 0 ? #""role":"assistant","# : ""
            choice = #"{"index":0,"delta":{\#(role)"content":"\#(sequence) "},"finish_reason":null}"#
        } else {
            choice = #"{"index":0,"delta":{},"finish_reason":"stop"}"#
        }
        return
            #"data: {"id":"chatcmpl-\#(stream)","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[\#(choice)]}"#
            + "\n\n"
    }
}

/// Checks one event stream of `LoadBenchUpstream` as its bytes arrive, in whatever pieces:
/// every `data:` line must be a chunk of this stream in sequence, then the closing chunk,
/// then `data: [DONE]`, then nothing.
struct ChunkStreamValidator {
    let stream: String
    let chunkCount: Int
    private var pending: [UInt8] = []
    private var nextSequence = 0
    private var finished = false
    private var done = false
    /// Events that were not the expected next one.
    private(set) var mangledEvents = 0

    init(stream: String, chunkCount: Int) {
        self.stream = stream
        self.chunkCount = chunkCount
    }

    mutating func consume(_ bytes: some Sequence<UInt8>) {
        pending.append(contentsOf: bytes)
        var start = 0
        var index = 0
        while index + 1 < pending.count {
            if pending[index] == UInt8(ascii: "\n") && pending[index + 1] == UInt8(ascii: "\n") {
                check(event: pending[start..<index])
                start = index + 2
                index = start
            } else {
                index += 1
            }
        }
        pending.removeFirst(start)
    }

    /// Whether the stream was whole: every chunk, the closing one, `[DONE]`, and no bytes
    /// left over.
    var isComplete: Bool {
        done && finished && nextSequence == chunkCount && mangledEvents == 0 && pending.isEmpty
    }

    private mutating func check(event: ArraySlice<UInt8>) {
        for line in event.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard line.starts(with: Array("data: ".utf8)) else {
                mangledEvents += 1
                continue
            }
            let payload = line.dropFirst(6)
            if done {
                mangledEvents += 1
            } else if payload.elementsEqual("[DONE]".utf8) {
                if !finished { mangledEvents += 1 }
                done = true
            } else if !isExpectedChunk(payload) {
                mangledEvents += 1
            }
        }
    }

    private mutating func isExpectedChunk(_ payload: ArraySlice<UInt8>) -> Bool {
        guard let chunk = try? JSONParser.parse(bytes: payload).objectValue,
            chunk["object"]?.stringValue == "chat.completion.chunk",
            chunk["id"]?.stringValue == "chatcmpl-\(stream)",
            let choice = chunk["choices"]?.arrayValue?.first?.objectValue,
            let delta = choice["delta"]?.objectValue,
            !finished
        else { return false }
        if choice["finish_reason"]?.stringValue == "stop" {
            guard nextSequence == chunkCount, delta.isEmpty else { return false }
            finished = true
            return true
        }
        guard delta["content"]?.stringValue == "\(nextSequence) " else { return false }
        nextSequence += 1
        return true
    }
}
