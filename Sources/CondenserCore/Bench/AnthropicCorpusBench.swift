import Foundation

/// The corpus through the Anthropic Messages front, as Claude Code would send it
/// (`CorpusSession.anthropicMessagesBody`): savings on first sight, planted facts kept,
/// requests breaking the front invariant, and the replay cost under Anthropic's cache
/// prices (a repeated prefix read at 0.1, the rest written at 1.25) against the requests
/// as sent. Counts are o200k estimates, as on the route itself.
public struct AnthropicCorpusBench {
    public var mode: CompressionMode
    let makePipeline: () -> CompressionPipeline

    public init(mode: CompressionMode, makePipeline: @escaping () -> CompressionPipeline) {
        self.mode = mode
        self.makePipeline = makePipeline
    }

    /// The standard pipeline with `settings`.
    public static func standard(settings: PipelineSettings, mode: CompressionMode) -> AnthropicCorpusBench {
        AnthropicCorpusBench(mode: mode) { CompressionPipeline.standard(settings: settings, warn: { _ in }) }
    }

    public struct SessionResult: Sendable {
        public var id: String
        public var kind: String
        /// First sight: the whole session met once (signed thinking then pins all of it
        /// up to the last thinking block).
        public var tokensIn = 0
        public var tokensOut = 0
        /// The last request of the replay, the session met as it grew.
        public var liveTokensIn = 0
        public var liveTokensOut = 0
        public var factsKept = 0
        public var factsTotal = 0
        public var invalidRequests = 0
        public var failedOpen = 0
        public var replayRequests = 0
        public var costUncompressed = 0.0
        public var costCompressed = 0.0

        public var savedFraction: Double { tokensIn == 0 ? 0 : Double(tokensIn - tokensOut) / Double(tokensIn) }
        public var liveSavedFraction: Double { liveTokensIn == 0 ? 0 : Double(liveTokensIn - liveTokensOut) / Double(liveTokensIn) }
        public var replayCost: Double { costUncompressed == 0 ? 1 : costCompressed / costUncompressed }
    }

    public func run(_ sessions: [CorpusSession]) -> [SessionResult] {
        let live = makePipeline()
        let firstSight = makePipeline()
        let counter = (try? EncodingCounters().counter(for: .o200kBase))
        return sessions.map { session in
            var result = SessionResult(id: session.id, kind: session.kind)
            result.factsTotal = session.needles.count
            var previous: (original: [JSONValue], compressed: [JSONValue]) = ([], [])
            for body in session.anthropicReplayRequests {
                guard let request = try? AnthropicMessagesFront.request(body: body) else {
                    result.invalidRequests += 1
                    continue
                }
                let outcome = live.compress(request, mode: mode)
                if !request.maskedViolations(forwarded: outcome.body).isEmpty { result.invalidRequests += 1 }
                if outcome.failOpenReason != nil { result.failedOpen += 1 }
                (result.liveTokensIn, result.liveTokensOut) = (outcome.tokensIn, outcome.tokensOut)
                let sent = Self.messages(body)
                let forwarded = Self.messages(outcome.body)
                if let counter {
                    result.costUncompressed += Self.cost(sent, after: previous.original, profile: request.profile, counter: counter)
                    result.costCompressed += Self.cost(forwarded, after: previous.compressed, profile: request.profile, counter: counter)
                }
                result.replayRequests += 1
                previous = (sent, forwarded)
            }
            if let request = try? AnthropicMessagesFront.request(body: session.anthropicRequest) {
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

    /// The system and messages of a body, `cache_control` removed: the breakpoint moves
    /// from request to request without changing what is cached.
    static func messages(_ body: JSONValue) -> [JSONValue] {
        guard case .object(let object) = body else { return [] }
        var result: [JSONValue] = []
        if let system = object["system"] { result.append(withoutCacheControl(system)) }
        for message in object["messages"]?.arrayValue ?? [] { result.append(withoutCacheControl(message)) }
        return result
    }

    static func withoutCacheControl(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): return .array(elements.map(withoutCacheControl))
        case .object(let object):
            return .object(JSONObject(members: object.members.filter { $0.key != "cache_control" }.map {
                JSONMember(key: $0.key, value: withoutCacheControl($0.value))
            }))
        default: return value
        }
    }

    /// Anthropic's price of a request after `previous`: the messages it repeats from the
    /// start of the previous request read from the cache, the rest written to it.
    static func cost(_ messages: [JSONValue], after previous: [JSONValue], profile: FrontProfile, counter: PipelineCounter) -> Double {
        var shared = 0
        while shared < min(messages.count, previous.count), RecentRequests.identical(messages[shared], previous[shared]) { shared += 1 }
        let pricing = profile.cachePricing
        var total = 0.0
        for (index, message) in messages.enumerated() {
            let tokens = Double(counter.message(message, of: profile))
            total += tokens * (index < shared ? pricing.readMultiplier : pricing.writeMultiplier)
        }
        return total
    }

    /// The per-session table and the medians per kind.
    public static func render(_ results: [SessionResult]) -> String {
        render(results, front: "front anthropic-messages (counts estimated with o200k); replay cost: cache reads 0.1, writes 1.25")
    }

    /// The table, with `front` naming the front and its cost model.
    static func render(_ results: [SessionResult], front: String) -> String {
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        var lines = ["session        kind       in    out  saved   live  facts  invalid  failed-open  replay  cost"]
        for result in results {
            lines.append(
                pad(result.id, 14) + " " + pad(result.kind, 6) + String(format: "%7d %6d ", result.tokensIn, result.tokensOut)
                    + pad(percent(result.savedFraction), 6) + " " + pad(percent(result.liveSavedFraction), 6) + " "
                    + pad("\(result.factsKept)/\(result.factsTotal)", 6)
                    + String(format: " %8d %12d %7d  %.3f", result.invalidRequests, result.failedOpen, result.replayRequests, result.replayCost))
        }
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        lines.append("")
        lines.append(front)
        for kind in Set(results.map(\.kind)).sorted() {
            let of = results.filter { $0.kind == kind }
            lines.append(
                "\(kind): median saved \(percent(median(of.map(\.savedFraction)))) first sight, "
                    + "\(percent(median(of.map(\.liveSavedFraction)))) live end of replay; median replay cost "
                    + String(format: "%.3f", median(of.map(\.replayCost))))
        }
        let facts = results.reduce(0) { $0 + $1.factsKept }
        let total = results.reduce(0) { $0 + $1.factsTotal }
        lines.append("facts kept \(facts)/\(total); invalid requests \(results.reduce(0) { $0 + $1.invalidRequests }); failed open \(results.reduce(0) { $0 + $1.failedOpen })")
        return lines.joined(separator: "\n") + "\n"
    }
}
