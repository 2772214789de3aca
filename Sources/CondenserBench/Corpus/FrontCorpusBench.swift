import CondenserCore
import Foundation

/// The corpus through a front other than OpenAI chat, converted the way that front's
/// main client sends it: savings on first sight and at the end of the replay, planted
/// facts kept, requests breaking the front invariant, and the replay cost under the
/// front's cache prices (a repeated prefix read at its read price, the rest at its write
/// price) against the requests as sent.
package struct FrontCorpusBench {
    /// How a front's requests are made from a corpus session and read back.
    package struct Front: Sendable {
        /// The front's name in a heading.
        var title: String
        /// The line that names the front and its cost model under the table.
        var label: String
        /// The whole session as one request (first sight).
        var whole: @Sendable (CorpusSession) -> JSONValue
        /// The session's requests as it grew.
        var replay: @Sendable (CorpusSession) -> [JSONValue]
        var parse: @Sendable (JSONValue) throws(FrontRequestError) -> FrontRequest
        /// What the provider caches, in order: a repeated prefix of these is read.
        var cachedItems: @Sendable (JSONValue) -> [JSONValue]
        /// The encoding a request's costs are counted in.
        var encoding: @Sendable (_ model: String) -> TokenEncoding

        /// Messages requests the way Claude Code sends them (`CorpusSession.anthropicMessagesBody`);
        /// counts are o200k estimates, as on the route itself; reads 0.1, writes 1.25.
        package static let anthropic = Front(
            title: "Anthropic Messages",
            label: "front anthropic-messages (counts estimated with o200k); replay cost: cache reads 0.1, writes 1.25",
            whole: \.anthropicRequest, replay: \.anthropicReplayRequests,
            parse: { body throws(FrontRequestError) in try AnthropicMessagesFront.request(body: body) },
            cachedItems: FrontCorpusBench.messages, encoding: { _ in .o200kBase })

        /// Responses requests the way Codex sends them over HTTP (`CorpusSession.responsesBody`:
        /// `store: false`, full history, reasoning items with encrypted content,
        /// `prompt_cache_key`); exact counts in each model's encoding; reads 0.1, the rest 1.
        package static let responses = Front(
            title: "OpenAI Responses",
            label: "front openai-responses (exact counts); replay cost: cache reads 0.1, the rest 1",
            whole: \.responsesBody, replay: \.responsesReplayBodies,
            parse: { body throws(FrontRequestError) in try OpenAIResponsesFront.request(body: body) },
            cachedItems: FrontCorpusBench.items, encoding: { TokenEncoding.forModel($0) })
    }

    var front: Front
    var mode: CompressionMode
    let makePipeline: () -> CompressionPipeline

    package init(front: Front, mode: CompressionMode, makePipeline: @escaping () -> CompressionPipeline) {
        self.front = front
        self.mode = mode
        self.makePipeline = makePipeline
    }

    /// The standard pipeline with `settings`.
    package static func standard(front: Front, settings: PipelineSettings, mode: CompressionMode) -> FrontCorpusBench {
        FrontCorpusBench(front: front, mode: mode) { CompressionPipeline.standard(settings: settings, warn: { _ in }) }
    }

    package struct SessionResult: Sendable {
        var id: String
        var kind: String
        /// First sight: the whole session met once (signed thinking then pins all of it
        /// up to the last thinking block).
        var tokensIn = 0
        var tokensOut = 0
        /// The last request of the replay, the session met as it grew.
        var liveTokensIn = 0
        var liveTokensOut = 0
        var factsKept = 0
        var factsTotal = 0
        var invalidRequests = 0
        var failedOpen = 0
        var replayRequests = 0
        var costUncompressed = 0.0
        var costCompressed = 0.0

        var savedFraction: Double { tokensIn == 0 ? 0 : Double(tokensIn - tokensOut) / Double(tokensIn) }
        var liveSavedFraction: Double { liveTokensIn == 0 ? 0 : Double(liveTokensIn - liveTokensOut) / Double(liveTokensIn) }
        var replayCost: Double { costUncompressed == 0 ? 1 : costCompressed / costUncompressed }
    }

    package func run(_ sessions: [CorpusSession]) -> [SessionResult] {
        let live = makePipeline()
        let firstSight = makePipeline()
        let counters = RequestTokenCounters()
        return sessions.map { session in
            var result = SessionResult(id: session.id, kind: session.kind)
            result.factsTotal = session.needles.count
            var previous: (original: [JSONValue], compressed: [JSONValue]) = ([], [])
            for body in front.replay(session) {
                guard let request = try? front.parse(body) else {
                    result.invalidRequests += 1
                    continue
                }
                let outcome = live.compress(request, mode: mode)
                if !request.maskedViolations(forwarded: outcome.body).isEmpty { result.invalidRequests += 1 }
                if outcome.failOpenReason != nil { result.failedOpen += 1 }
                (result.liveTokensIn, result.liveTokensOut) = (outcome.tokensIn, outcome.tokensOut)
                let sent = front.cachedItems(body)
                let forwarded = front.cachedItems(outcome.body)
                if let counter = try? counters.counter(for: front.encoding(request.model)) {
                    result.costUncompressed += Self.cost(sent, after: previous.original, profile: request.profile, counter: counter)
                    result.costCompressed += Self.cost(forwarded, after: previous.compressed, profile: request.profile, counter: counter)
                }
                result.replayRequests += 1
                previous = (sent, forwarded)
            }
            if let request = try? front.parse(front.whole(session)) {
                let outcome = firstSight.compress(request, mode: mode)
                result.tokensIn = outcome.tokensIn
                result.tokensOut = outcome.tokensOut
                let text = String(decoding: outcome.body.serializedBytes(), as: UTF8.self)
                result.factsKept =
                    session.needles.filter { needle in
                        text.contains(String(decoding: JSONValue.string(needle).serializedBytes().dropFirst().dropLast(), as: UTF8.self))
                    }.count
            }
            return result
        }
    }

    /// The `instructions` and `input` items of a Responses body, in the order the model reads them.
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

    /// The system and messages of a Messages body, `cache_control` removed: the breakpoint moves
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
            return .object(
                JSONObject(
                    members: object.members.filter { $0.key != "cache_control" }.map {
                        JSONMember(key: $0.key, value: withoutCacheControl($0.value))
                    }))
        default: return value
        }
    }

    /// The price of a request after `previous`: the items it repeats from the start of
    /// the previous request read from the cache, the rest written to it.
    static func cost(_ messages: [JSONValue], after previous: [JSONValue], profile: FrontProfile, counter: RequestTokenCounter) -> Double {
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
    package func render(_ results: [SessionResult]) -> String {
        Self.render(results, front: front.label)
    }

    /// The table, with `front` naming the front and its cost model.
    static func render(_ results: [SessionResult], front: String) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        var lines = ["session        kind       in    out  saved   live  facts  invalid  failed-open  replay  cost"]
        for result in results {
            lines.append(
                pad(result.id, 14) + " " + pad(result.kind, 6) + String(format: "%7d %6d ", result.tokensIn, result.tokensOut)
                    + pad(percent(result.savedFraction), 6) + " " + pad(percent(result.liveSavedFraction), 6) + " "
                    + pad("\(result.factsKept)/\(result.factsTotal)", 6)
                    + String(
                        format: " %8d %12d %7d  %.3f", result.invalidRequests, result.failedOpen, result.replayRequests, result.replayCost))
        }
        lines.append("")
        lines.append(front)
        for kind in kindSummaries(results) {
            lines.append(
                "\(kind.kind): median saved \(percent(kind.savedFirstSight)) first sight, "
                    + "\(percent(kind.savedLive)) live end of replay; median replay cost "
                    + String(format: "%.3f", kind.replayCost))
        }
        lines.append(totalsLine(results))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension FrontCorpusBench {
    /// One kind of session's medians.
    struct KindSummary: Equatable {
        var kind: String
        var sessions: Int
        var savedFirstSight: Double
        var savedLive: Double
        var replayCost: Double
    }

    static func kindSummaries(_ results: [SessionResult]) -> [KindSummary] {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        return Set(results.map(\.kind)).sorted().map { kind in
            let of = results.filter { $0.kind == kind }
            return KindSummary(
                kind: kind, sessions: of.count, savedFirstSight: median(of.map(\.savedFraction)),
                savedLive: median(of.map(\.liveSavedFraction)),
                replayCost: median(of.map(\.replayCost)))
        }
    }

    static func totalsLine(_ results: [SessionResult]) -> String {
        let facts = results.reduce(0) { $0 + $1.factsKept }
        let total = results.reduce(0) { $0 + $1.factsTotal }
        return "facts kept \(facts)/\(total); invalid requests \(results.reduce(0) { $0 + $1.invalidRequests }); "
            + "failed open \(results.reduce(0) { $0 + $1.failedOpen })"
    }

    /// The medians per kind and the totals as a section of docs/BENCHMARKS.md.
    package func markdownSection(_ results: [SessionResult], command: String, machine: MachineFacts) -> MarkdownSection {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        return MarkdownSection(
            title: "Corpus, \(front.title) front (\(mode.rawValue))", command: command, machine: machine,
            notes: [front.label, Self.totalsLine(results)],
            header: ["sessions", "count", "median saved, first sight", "median saved, live end of replay", "median replay cost"],
            rows: Self.kindSummaries(results).map {
                [$0.kind, "\($0.sessions)", percent($0.savedFirstSight), percent($0.savedLive), String(format: "%.3f", $0.replayCost)]
            })
    }
}
