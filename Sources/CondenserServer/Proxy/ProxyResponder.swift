import AsyncHTTPClient
import CondenserCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers every request the server accepts: the security check, each front's route
/// through the compressor (`ServedFront`), `/v1/condenser/compress`, pass-through for
/// every other `/v1/*` path, and the router (health and added routes) for the rest.
final class ProxyResponder: Sendable {
    let store: ConfigurationStore
    let compressor: any ChatCompressor
    let recorders: [any SavingsRecorder]
    let upstream: Upstream
    let bodyMemory: BodyMemory
    let router: RouterResponder<BasicRequestContext>
    let logger: Logger

    init(
        store: ConfigurationStore, compressor: any ChatCompressor, recorders: [any SavingsRecorder],
        upstream: Upstream, router: RouterResponder<BasicRequestContext>, logger: Logger
    ) {
        self.store = store
        self.compressor = compressor
        self.recorders = recorders
        self.upstream = upstream
        bodyMemory = BodyMemory(capacity: store.current.maxInflightBytes)
        self.router = router
        self.logger = logger
    }

    static let modeHeader = HTTPField.Name("X-Condenser-Mode")!
    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    static let tokensInHeader = HTTPField.Name("X-Condenser-Tokens-In")!
    static let tokensOutHeader = HTTPField.Name("X-Condenser-Tokens-Out")!
    static let tokensSavedHeader = HTTPField.Name("X-Condenser-Tokens-Saved")!
    /// On the routes of a front whose counts are estimated: `estimated`.
    static let tokenCountHeader = HTTPField.Name("X-Condenser-Token-Count")!

    func respond(to incoming: Request, channel: any Channel) async -> Response {
        let configuration = store.current
        let request: Request
        switch SecurityPolicy.admit(incoming, configuration: configuration, peer: channel.remoteAddress) {
        case .refused(let refusal):
            logger.notice("Refused a request", metadata: ["reason": "\(refusal.message)"])
            return Self.clientFront(incoming).response(for: refusal)
        case .admitted(let admitted):
            request = admitted
        }
        if OpenAIResponsesFront.isWebSocketUpgrade(headers: request.headers.lazy.map { (name: $0.name.canonicalName, value: $0.value) }) {
            // Codex tries WebSocket on /v1/responses first and falls back to HTTP on a 426.
            logger.info("Refused a WebSocket upgrade", metadata: ["path": "\(request.uri.path)"])
            return ServedFront.openAIResponses.response(for: Self.webSocketRefusal)
        }
        let path = request.uri.path
        // Held until the body has gone upstream (the response head is back) or the
        // request failed; a streamed response body holds none of it.
        let memory = bodyMemory.hold(timeout: configuration.requestTimeout)
        defer { memory.release() }
        if request.method == .post, let front = Self.compressedFront(path: path) {
            do {
                return try await compressAndForward(request, front: front, memory: memory, configuration: configuration)
            } catch {
                return front.response(for: counted(error))
            }
        }
        if request.method == .post, let front = Self.countingFront(path: path) {
            do {
                return try await countTokens(request, front: front, memory: memory, configuration: configuration)
            } catch {
                return front.response(for: counted(error))
            }
        }
        if request.method == .post, path == "/v1/condenser/compress" {
            do {
                return try await compress(request, memory: memory, configuration: configuration)
            } catch {
                return counted(error).response
            }
        }
        // Claude Code checks that its base URL answers with `HEAD /`.
        if path == "/v1" || path.hasPrefix("/v1/") || (request.method == .head && path == "/") {
            let front = path == "/" ? ServedFront.anthropicMessages : Self.passThroughFront(request)
            do {
                let body = try await collectBody(of: request, limit: configuration.maxBodyBytes, memory: memory, copies: 1)
                return try await forward(request, body: body, dropContentEncoding: false, front: front, configuration: configuration)
                    .response
            } catch {
                return front.response(for: counted(error))
            }
        }
        return await routed(request, channel: channel)
    }

    /// `error`, counted in `/metrics` first when it is a 503 of a full queue
    /// (`upstream.max_connections` or `limits.max_inflight_megabytes`).
    private func counted(_ error: OpenAIError) -> OpenAIError {
        if error.status == .serviceUnavailable, let code = error.code, code == "upstream_busy" || code == "proxy_busy" {
            for recorder in recorders { recorder.recordBusy(code) }
        }
        return error
    }

    // MARK: Fronts

    /// The front whose compressed route `path` is, if any.
    static func compressedFront(path: String) -> ServedFront? {
        switch path {
        case "/v1/chat/completions": return .openAIChat
        case "/v1/responses": return .openAIResponses
        case "/v1/messages": return .anthropicMessages
        default: return nil
        }
    }

    /// A WebSocket upgrade's answer: 426 and what to do instead, in OpenAI's shape.
    static let webSocketRefusal = OpenAIError(
        status: HTTPResponse.Status(code: OpenAIResponsesFront.webSocketRefusalStatus, reasonPhrase: "Upgrade Required"),
        message: OpenAIResponsesFront.webSocketRefusal.message, type: "invalid_request_error",
        param: OpenAIResponsesFront.webSocketRefusal.param, code: OpenAIResponsesFront.webSocketRefusal.code)

    static let anthropicVersionHeader = HTTPField.Name("anthropic-version")!

    /// The front whose shape a refusal takes: the route's, else the client's.
    static func clientFront(_ request: Request) -> ServedFront {
        let path = request.uri.path
        if path == "/v1/messages" || path.hasPrefix("/v1/messages/") { return .anthropicMessages }
        return passThroughFront(request)
    }

    /// The front a pass-through request belongs to, from the headers only its clients
    /// send (Anthropic's SDKs send `anthropic-version` with every request).
    static func passThroughFront(_ request: Request) -> ServedFront {
        request.headers.contains(anthropicVersionHeader) ? .anthropicMessages : .openAIChat
    }

    /// The front whose token-count route `path` is (Anthropic's `count_tokens`, the
    /// Responses API's `input_tokens`), or nil.
    static func countingFront(path: String) -> ServedFront? {
        switch path {
        case "/v1/messages/count_tokens": .anthropicMessages
        case "/v1/responses/input_tokens": .openAIResponses
        default: nil
        }
    }

    /// `POST /v1/messages/count_tokens` and `POST /v1/responses/input_tokens`: the count
    /// of what Condenser would forward. The body is compressed as the front's own route
    /// would compress it, without touching any conversation's state, and the upstream
    /// counts the result (its tokenizer is the one that bills).
    private func countTokens(
        _ request: Request, front: ServedFront, memory: BodyMemory.Hold, configuration: CondenserConfiguration
    ) async throws(OpenAIError) -> Response {
        let mode = try Self.mode(of: request, default: configuration.compressionMode)
        let raw = try await collectBody(of: request, limit: configuration.maxBodyBytes, memory: memory, copies: Self.chatBodyCopies)
        let parsed = try await parseOffPool(raw, front: front, headers: request.headers, limit: configuration.maxBodyBytes, memory: memory)
        let outcome = await compressor.preview(parsed, mode: mode)
        let body = await Self.forwardedBody(outcome, raw: raw)
        var response = try await forward(
            request, body: body, dropContentEncoding: outcome.changed, front: front, configuration: configuration
        ).response
        if outcome.changed {
            response.headers[Self.tokensInHeader] = String(outcome.tokensIn)
            response.headers[Self.tokensOutHeader] = String(outcome.tokensOut)
            response.headers[Self.tokensSavedHeader] = String(outcome.tokensSaved)
        }
        if front.profile.tokenCount == .estimated {
            response.headers[Self.tokenCountHeader] = TokenCountKind.estimated.rawValue
        }
        return response
    }

    /// A front's compressed route: the body read by the front's adapter, compressed, and
    /// sent to the front's upstream; the answer relayed as it comes.
    private func compressAndForward(
        _ request: Request, front: ServedFront, memory: BodyMemory.Hold, configuration: CondenserConfiguration
    ) async throws(OpenAIError) -> Response {
        let mode = try Self.mode(of: request, default: configuration.compressionMode)
        let raw = try await collectBody(of: request, limit: configuration.maxBodyBytes, memory: memory, copies: Self.chatBodyCopies)
        let parsed = try await parseOffPool(raw, front: front, headers: request.headers, limit: configuration.maxBodyBytes, memory: memory)
        if configuration.logPrompts {
            logger.debug("Chat request body", metadata: ["body": "\(String(buffer: raw))"])
        }

        let clock = ContinuousClock()
        let started = clock.now
        let outcome = await compressor.compressOffPool(parsed, mode: mode)
        let compressionMicros = (clock.now - started).microseconds

        // Unchanged requests go up as the very bytes the client sent.
        let body = await Self.forwardedBody(outcome, raw: raw)
        let requestID = request.headers[Self.requestIDHeader] ?? Self.makeRequestID()
        var record = SavingsRecord(
            requestID: requestID, timestamp: Date(), model: parsed.model,
            client: request.headers[.userAgent] ?? "", endpoint: request.uri.path, mode: mode,
            tokensIn: outcome.tokensIn, tokensOut: outcome.tokensOut, stages: outcome.stages,
            upstreamStatus: nil, compressionMicros: compressionMicros, upstreamFirstByteMicros: nil,
            conversationFingerprint: Self.fingerprint(of: parsed), failOpenReason: outcome.failOpenReason
        )
        record.tokenCount = front.profile.tokenCount
        let forwarded: Forwarded
        do {
            forwarded = try await forward(
                request, body: body, dropContentEncoding: outcome.changed, front: front, configuration: configuration)
        } catch {
            recordOnce(record)
            throw error
        }
        record.upstreamStatus = Int(forwarded.response.status.code)
        record.upstreamFirstByteMicros = forwarded.firstByte.microseconds
        // Recorded when the body ends, with what the upstream says it billed.
        let responseRecord = ChatResponseRecord(
            record, responseHeaders: forwarded.response.headers, recorders: recorders, usage: front.usageReader)
        logger.debug(
            "Compressed request forwarded",
            metadata: [
                "front": "\(front.profile.name)", "request.id": "\(requestID)", "model": "\(parsed.model)",
                "status": "\(record.upstreamStatus ?? 0)",
                "tokens.in": "\(outcome.tokensIn)", "tokens.out": "\(outcome.tokensOut)",
                "compression.us": "\(compressionMicros)", "upstream.ttfb.us": "\(record.upstreamFirstByteMicros ?? 0)",
            ]
        )

        var response = forwarded.response
        let upstreamName = "\(front.upstream(configuration).scheme)://\(front.upstream(configuration).authority)"
        response.body = responseRecord.observing(response.body) { [logger] in
            logger.error(
                "The upstream stream ended without an event ending the response; cutting the client's response short",
                metadata: ["upstream": "\(upstreamName)", "request.id": "\(requestID)"])
        }
        if !response.headers.contains(Self.requestIDHeader) {
            response.headers[Self.requestIDHeader] = requestID
        }
        if outcome.changed {
            response.headers[Self.tokensInHeader] = String(outcome.tokensIn)
            response.headers[Self.tokensOutHeader] = String(outcome.tokensOut)
            response.headers[Self.tokensSavedHeader] = String(outcome.tokensSaved)
        }
        if front.profile.tokenCount == .estimated {
            response.headers[Self.tokenCountHeader] = TokenCountKind.estimated.rawValue
        }
        return response
    }

    private func recordOnce(_ record: SavingsRecord) {
        for recorder in recorders {
            recorder.record(record)
        }
    }

    /// `POST /v1/condenser/compress`: what the pipeline would forward, without calling upstream.
    private func compress(
        _ request: Request, memory: BodyMemory.Hold, configuration: CondenserConfiguration
    ) async throws(OpenAIError) -> Response {
        let mode = try Self.mode(of: request, default: configuration.compressionMode)
        let raw = try await collectBody(of: request, limit: configuration.maxBodyBytes, memory: memory, copies: Self.chatBodyCopies)
        let parsed = try await parseOffPool(
            raw, front: .openAIChat, headers: request.headers, limit: configuration.maxBodyBytes, memory: memory)
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = await compressor.compressOffPool(parsed, mode: mode)
        let elapsed = clock.now - started
        let stages: [JSONValue] = outcome.stages.map { stage in
            .object([
                "stage": .string(stage.stage), "tokens_before": .int(stage.tokensBefore),
                "tokens_after": .int(stage.tokensAfter), "tokens_saved": .int(stage.tokensSaved),
            ])
        }
        let answer: JSONObject = [
            "mode": .string(mode.rawValue),
            "changed": .bool(outcome.changed),
            "tokens_in": .int(outcome.tokensIn),
            "tokens_out": .int(outcome.tokensOut),
            "tokens_saved": .int(outcome.tokensSaved),
            "stages": .array(stages),
            "fail_open_reason": outcome.failOpenReason.map(JSONValue.string) ?? .null,
            "compression_micros": .int(elapsed.microseconds),
            "request": outcome.body,
        ]
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONValue.object(answer).serializedBytes()))
        )
    }

    static func mode(of request: Request, default mode: CompressionMode) throws(OpenAIError) -> CompressionMode {
        guard let value = request.headers[modeHeader] else { return mode }
        guard let chosen = CompressionMode(rawValue: value.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw .badRequest(
                "Invalid X-Condenser-Mode header \"\(value)\": expected off, safe or aggressive.", code: "invalid_condenser_mode"
            )
        }
        return chosen
    }

    /// The body's bytes as JSON: inflated when gzip, else nil (use `raw` itself).
    static func inflate(_ raw: ByteBuffer, headers: HTTPFields, limit: Int) throws(OpenAIError) -> [UInt8]? {
        let encoding = headers[.contentEncoding]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "identity"
        switch encoding {
        case "identity", "":
            return nil
        case "gzip", "x-gzip":
            do {
                return try Zlib.inflate(Array(raw.readableBytesView), format: .gzip, limit: limit)
            } catch .tooLarge {
                throw .bodyTooLarge(limit: limit)
            } catch {
                throw .badRequest("The gzip request body could not be inflated: \(error.description).", code: "invalid_content_encoding")
            }
        default:
            throw OpenAIError(
                status: .unsupportedMediaType, message: "Unsupported Content-Encoding \"\(encoding)\": send identity or gzip.",
                type: "invalid_request_error", code: "unsupported_content_encoding"
            )
        }
    }

    /// The conversation a request belongs to, for records and reports: the client's
    /// `prompt_cache_key` when it names one (Codex sets it to its conversation id), else
    /// the first system and user texts hashed, the same for every request of a
    /// conversation as it grows.
    static func fingerprint(of request: FrontRequest) -> String {
        if let key = OpenAIResponsesFront.conversationKey(of: request.body) {
            return StableHash("prompt_cache_key\u{0}" + key).description
        }
        func text(_ role: BlockRole) -> String {
            request.conversation.messages.first { $0.role == role }.map { $0.textBlocks.map(\.text).joined(separator: "\n") } ?? ""
        }
        return StableHash(text(.system) + "\u{0}" + text(.user)).description
    }

    static func makeRequestID() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return "cnd-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    // MARK: Forwarding

    /// A chat body is held about three times while it is compressed: the bytes, the
    /// parsed request and the compressed bytes.
    static let chatBodyCopies = 3
    /// A body of unknown length takes its share of memory in steps of this many bytes.
    static let bodyMemoryStep = 1 << 20

    /// Reads the whole body, taking `copies` times its size from the memory allowance
    /// first (waiting for it if need be).
    private func collectBody(
        of request: Request, limit: Int, memory: BodyMemory.Hold, copies: Int
    ) async throws(OpenAIError) -> ByteBuffer {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limit {
            throw .bodyTooLarge(limit: limit)
        }
        if let declared { try await memory.take(declared * copies) }
        var buffer = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard buffer.readableBytes + chunk.readableBytes <= limit else { throw OpenAIError.bodyTooLarge(limit: limit) }
                let needed = (buffer.readableBytes + chunk.readableBytes) * copies
                if needed > memory.bytes {
                    try await memory.grow(to: needed + Self.bodyMemoryStep * copies)
                }
                var chunk = chunk
                buffer.writeBuffer(&chunk)
            }
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw .badRequest("The request body could not be read: \(error).")
        }
        return buffer
    }

    /// Ends a response whose head is out without a proper end, so the client sees it cut.
    struct ResponseCut: Error {}

    struct Forwarded {
        var response: Response
        var firstByte: Duration
    }

    /// Sends the request upstream and relays the answer: status, headers (hop-by-hop
    /// removed) and body chunk by chunk as it arrives, errors included.
    private func forward(
        _ request: Request, body: ByteBuffer, dropContentEncoding: Bool, front: ServedFront, configuration: CondenserConfiguration,
        path: String? = nil
    ) async throws(OpenAIError) -> Forwarded {
        let base = front.upstream(configuration)
        let target = front.upstreamURL(base, path ?? request.head.path ?? request.uri.description)
        var upstreamRequest = HTTPClientRequest(url: target)
        upstreamRequest.method = .init(rawValue: request.method.rawValue)
        upstreamRequest.headers = HeaderFilter.upstreamHeaders(
            from: request.headers, dropContentEncoding: dropContentEncoding,
            key: front.configuredKey(configuration), clientKeyHeaders: front.clientKeyHeaders
        )
        if body.readableBytes > 0 || request.method == .post || request.method == .put || request.method == .patch {
            upstreamRequest.body = .bytes(body)
        }
        let answer = try await upstream.send(upstreamRequest, timeout: configuration.requestTimeout, upstream: base)
        let upstreamBody = IdleTimeoutBody(base: answer.response.body, idleTimeout: configuration.streamIdleTimeout)
        let slot = answer.slot
        let logger = self.logger
        let upstreamName = "\(base.scheme)://\(base.authority)"
        let responseBody = ResponseBody { writer in
            defer { slot.release() }
            do {
                for try await chunk in upstreamBody {
                    try await writer.write(chunk)
                }
            } catch {
                // The head is out: all the client may see of a failure now is a body cut
                // short of its length or its last chunk. Hummingbird answers an
                // HTTPParserError (which a cut upstream body is) with a 400 head written
                // into the body, so no error goes back to it as itself.
                if Task.isCancelled {
                    logger.debug("The client left during the response", metadata: ["error": "\(error)"])
                } else {
                    logger.error(
                        "The upstream response broke off; cutting the client's response short",
                        metadata: ["upstream": "\(upstreamName)", "error": "\(error)"])
                }
                throw ResponseCut()
            }
            try await writer.finish(nil)
        }
        let response = Response(
            status: HTTPResponse.Status(code: Int(answer.response.status.code), reasonPhrase: answer.response.status.reasonPhrase),
            headers: HeaderFilter.clientHeaders(from: answer.response.headers),
            body: responseBody
        )
        return Forwarded(response: response, firstByte: answer.firstByte)
    }

    // MARK: Other routes

    private func routed(_ request: Request, channel: any Channel) async -> Response {
        let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
        do {
            return try await router.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            return (try? error.response(from: request, context: context)) ?? Response(status: error.status)
        } catch {
            logger.error("Route failed", metadata: ["error": "\(error)"])
            return Response(status: .internalServerError)
        }
    }
}
