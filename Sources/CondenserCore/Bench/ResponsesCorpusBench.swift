/// The corpus through the OpenAI Responses front, as Codex CLI would send it over HTTP
/// (`CorpusSession.responsesBody`: `store: false`, full history, reasoning items with
/// encrypted content, `prompt_cache_key`): savings on first sight and at the end of the
/// replay, planted facts kept, requests breaking the front invariant, and the replay cost
/// under OpenAI's cache prices (a repeated prefix of items read at 0.1, the rest at 1)
/// against the requests as sent. Counts are exact, in each model's encoding.
public struct ResponsesCorpusBench {
    public var mode: CompressionMode
    let makePipeline: () -> CompressionPipeline

    public init(mode: CompressionMode, makePipeline: @escaping () -> CompressionPipeline) {
        self.mode = mode
        self.makePipeline = makePipeline
    }

    /// The standard pipeline with `settings`.
    public static func standard(settings: PipelineSettings, mode: CompressionMode) -> ResponsesCorpusBench {
        ResponsesCorpusBench(mode: mode) { CompressionPipeline.standard(settings: settings, warn: { _ in }) }
    }

    public typealias SessionResult = AnthropicCorpusBench.SessionResult

    public func run(_ sessions: [CorpusSession]) -> [SessionResult] {
        let live = makePipeline()
        let firstSight = makePipeline()
        let counters = EncodingCounters()
        return sessions.map { session in
            var result = SessionResult(id: session.id, kind: session.kind)
            result.factsTotal = session.needles.count
            var previous: (original: [JSONValue], compressed: [JSONValue]) = ([], [])
            for body in session.responsesReplayBodies {
                guard let request = try? OpenAIResponsesFront.request(body: body) else {
                    result.invalidRequests += 1
                    continue
                }
                let outcome = live.compress(request, mode: mode)
                if !request.maskedViolations(forwarded: outcome.body).isEmpty { result.invalidRequests += 1 }
                if outcome.failOpenReason != nil { result.failedOpen += 1 }
                (result.liveTokensIn, result.liveTokensOut) = (outcome.tokensIn, outcome.tokensOut)
                let sent = Self.items(body)
                let forwarded = Self.items(outcome.body)
                if let counter = try? counters.counter(for: TokenEncoding.forModel(request.model)) {
                    result.costUncompressed += AnthropicCorpusBench.cost(sent, after: previous.original, profile: request.profile, counter: counter)
                    result.costCompressed += AnthropicCorpusBench.cost(forwarded, after: previous.compressed, profile: request.profile, counter: counter)
                }
                result.replayRequests += 1
                previous = (sent, forwarded)
            }
            if let request = try? OpenAIResponsesFront.request(body: session.responsesBody) {
                let outcome = firstSight.compress(request, mode: mode)
                result.tokensIn = outcome.tokensIn
                result.tokensOut = outcome.tokensOut
                let text = String(decoding: outcome.body.serializedBytes(), as: UTF8.self)
                result.factsKept = session.needles.filter { needle in
                    text.contains(String(decoding: JSONValue.string(needle).serializedBytes().dropFirst().dropLast(), as: UTF8.self))
                }.count
            }
            return result
        }
    }

    /// The `instructions` and `input` items of a body, in the order the model reads them.
    static func items(_ body: JSONValue) -> [JSONValue] {
        guard case .object(let object) = body else { return [] }
        var result: [JSONValue] = []
        if let instructions = object["instructions"] { result.append(instructions) }
        switch object["input"] {
        case .array(let items)?: result.append(contentsOf: items)
        case let input?: result.append(input)
        case nil: break
        }
        return result
    }

    /// The per-session table and the medians per kind.
    public static func render(_ results: [SessionResult]) -> String {
        AnthropicCorpusBench.render(
            results, front: "front openai-responses (exact counts); replay cost: cache reads 0.1, the rest 1")
    }
}
