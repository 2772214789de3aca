import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A fake OpenAI-compatible upstream on loopback. It records every request it gets and
/// behaves as the `X-Test-Behavior` header says:
/// - absent: answers 200 with the request body echoed back, as `application/json`;
/// - `status:429`: answers that status with an OpenAI error body;
/// - `sse:COUNT:MILLIS`: streams COUNT events, MILLIS apart, then `[DONE]`;
/// - `hang`: never answers, and notes when the proxy gives up on it;
/// - `hop`: answers with hop-by-hop headers a proxy must not pass on;
/// - `delay:MILLIS`: answers as when absent, MILLIS after the request came;
/// - `stall:MILLIS`: streams one event, then nothing for MILLIS, then tries to end the
///   stream: notes `stall-abandoned` if the proxy had closed the connection by then;
/// - `usage-json`: answers `usageCompletion`, a completion with `usage`;
/// - `usage-sse`: streams `usageStream`, whose last event before `[DONE]` has `usage`,
///   written in pieces that cut that event in two;
/// - `responses-json`: answers `responsesAnswer`, a Responses object with `usage`;
/// - `responses-sse`: streams `responsesStream`, `response.*` events ending with
///   `response.completed` and its usage; `responses-sse-cut`: the same without that last
///   event, the body ended cleanly as a cut-off upstream may end it.
final class TestUpstream: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: HTTPFields
        var body: [UInt8]
    }

    private let receivedRequests = Mutex<[Received]>([])
    private let noted = Mutex<[String]>([])

    var received: [Received] { receivedRequests.withLock { $0 } }
    var events: [String] { noted.withLock { $0 } }

    func note(_ event: String) {
        noted.withLock { $0.append(event) }
    }

    /// Waits until `event` is noted, up to `timeout`.
    func waitFor(_ event: String, timeout: Duration = .seconds(5)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if events.contains(event) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    static let errorBody = #"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#

    static let usageCompletion =
        #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1203,"completion_tokens":1,"total_tokens":1204,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0}}}"#

    static let usageStream = [
        #"data: {"id":"c","choices":[{"index":0,"delta":{"content":"o"}}],"usage":null}"# + "\n\n",
        #"data: {"id":"c","choices":[{"index":0,"delta":{"content":"k"}}],"usage":null}"# + "\n\n",
        #"data: {"id":"c","choices":[],"usage":{"prompt_tokens":2048,"completion_tokens":2,"#,
        #""prompt_tokens_details":{"cached_tokens":1920,"cache_write_tokens":64}}}"# + "\n\n",
        "data: [DONE]\n\n",
    ]

    static let responsesAnswer =
        #"{"id":"resp_1","object":"response","status":"completed","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"ok"}]}],"usage":{"input_tokens":3100,"input_tokens_details":{"cached_tokens":2048},"output_tokens":1,"total_tokens":3101}}"#

    static let responsesStream = [
        "event: response.created\n"
            + #"data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","usage":null}}"#
            + "\n\n",
        "event: response.output_text.delta\n" + #"data: {"type":"response.output_text.delta","sequence_number":1,"delta":"o"}"# + "\n\n",
        "event: response.output_text.delta\n" + #"data: {"type":"response.output_text.delta","sequence_number":2,"delta":"k"}"# + "\n\n",
        "event: response.completed\n"
            + #"data: {"type":"response.completed","sequence_number":3,"response":{"id":"resp_1","status":"completed","usage":{"input_tokens":5000,"input_tokens_details":{"cached_tokens":4096},"output_tokens":2}}}"#
            + "\n\n",
    ]

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let behavior = request.headers[HTTPField.Name("X-Test-Behavior")!] ?? ""
        if behavior == "hang" {
            receivedRequests.withLock {
                $0.append(Received(method: request.method.rawValue, path: request.head.path ?? "", headers: request.headers, body: []))
            }
            return try await request.body.consumeWithCancellationOnInboundClose { _ in
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch {
                    self.note("hang-abandoned")
                    throw error
                }
                return Response(status: .ok)
            }
        }
        let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
        receivedRequests.withLock {
            $0.append(
                Received(
                    method: request.method.rawValue, path: request.head.path ?? "", headers: request.headers,
                    body: Array(body.readableBytesView)))
        }
        if behavior.hasPrefix("status:"), let code = Int(behavior.dropFirst(7)) {
            return Response(
                status: .init(code: code), headers: [.contentType: "application/json", HTTPField.Name("X-Upstream")!: "yes"],
                body: .init(byteBuffer: ByteBuffer(string: Self.errorBody))
            )
        }
        if behavior.hasPrefix("delay:"), let millis = Int(behavior.dropFirst(6)) {
            try await Task.sleep(for: .milliseconds(millis))
        }
        if behavior.hasPrefix("stall:"), let millis = Int(behavior.dropFirst(6)) {
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "data: {\"index\":0}\n\n"))
                    try await Task.sleep(for: .milliseconds(millis))
                    do {
                        // A peer that closed is noticed at the second or third write, once
                        // its reset is back.
                        for index in 1...20 {
                            try await writer.write(ByteBuffer(string: "data: {\"index\":\(index)}\n\n"))
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                        try await writer.finish(nil)
                        self.note("stall-resumed")
                    } catch {
                        self.note("stall-abandoned")
                        throw error
                    }
                }
            )
        }
        if behavior.hasPrefix("sse:") {
            let parts = behavior.split(separator: ":")
            let count = Int(parts[1]) ?? 3
            let millis = Int(parts[2]) ?? 10
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    do {
                        for index in 0..<count {
                            try await writer.write(ByteBuffer(string: "data: {\"index\":\(index)}\n\n"))
                            try await Task.sleep(for: .milliseconds(millis))
                        }
                        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                        try await writer.finish(nil)
                        self.note("stream-finished")
                    } catch {
                        self.note("stream-aborted")
                        throw error
                    }
                }
            )
        }
        if behavior == "usage-json" {
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: Self.usageCompletion)))
        }
        if behavior == "responses-json" {
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: Self.responsesAnswer)))
        }
        if behavior == "responses-sse" || behavior == "responses-sse-cut" {
            let events = behavior == "responses-sse" ? Self.responsesStream : Array(Self.responsesStream.dropLast())
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    for event in events {
                        try await writer.write(ByteBuffer(string: event))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try await writer.finish(nil)
                }
            )
        }
        if behavior == "usage-sse" {
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    for piece in Self.usageStream {
                        try await writer.write(ByteBuffer(string: piece))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try await writer.finish(nil)
                }
            )
        }
        var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-Upstream")!: "yes"]
        if behavior == "hop" {
            headers[HTTPField.Name("Keep-Alive")!] = "timeout=5"
            headers[HTTPField.Name("X-Hop")!] = "private"
            headers[.connection] = "X-Hop"
            headers[HTTPField.Name("Proxy-Authenticate")!] = "Basic"
        }
        headers[HTTPField.Name("X-Request-Id")!] = request.headers[HTTPField.Name("X-Upstream-Request-Id")!]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// Runs a test upstream on an ephemeral loopback port for the duration of `body`.
    static func run<T: Sendable>(_ body: @Sendable (TestUpstream, Int) async throws -> T) async throws -> T {
        let upstream = TestUpstream()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: CallbackResponder { request, context in try await upstream.respond(to: request, context: context) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "test-upstream", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        return try await withServices([app]) {
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            return try await body(upstream, port)
        }
    }
}

/// Runs services in a group for the duration of `body`, then shuts them down gracefully.
func withServices<T: Sendable>(_ services: [any Service], _ body: @Sendable () async throws -> T) async throws -> T {
    let group = ServiceGroup(
        configuration: .init(services: services, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    )
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}
