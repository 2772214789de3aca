import CondenserCore
import Foundation

/// Runs the compression pipeline over an evaluation corpus and measures what matters:
/// savings, planted facts kept, validity, and, in replay, the cache-aware cost of every
/// request an agent sends as a session grows.
package struct CorpusBench {
    var mode: CompressionMode
    var replay: Bool
    /// Makes a fresh pipeline (empty memo, empty count cache), for cold timings.
    let makePipeline: () -> CompressionPipeline
    /// Makes a fresh pipeline that keeps its conversation state in a directory, as a
    /// daemon does across restarts; nil skips the replay with restarts.
    let makePersistentPipeline: ((_ stateDirectory: String) -> CompressionPipeline)?
    /// Tokens of one message as billed (content, role and per-message overhead).
    let messageTokens: (ChatMessage) -> Int
    /// Tokens of the request's tool definitions.
    let toolTokens: (ChatRequest) -> Int

    package init(
        mode: CompressionMode, replay: Bool = true, makePipeline: @escaping () -> CompressionPipeline,
        makePersistentPipeline: ((_ stateDirectory: String) -> CompressionPipeline)? = nil,
        messageTokens: @escaping (ChatMessage) -> Int, toolTokens: @escaping (ChatRequest) -> Int
    ) {
        self.mode = mode
        self.replay = replay
        self.makePipeline = makePipeline
        self.makePersistentPipeline = makePersistentPipeline
        self.messageTokens = messageTokens
        self.toolTokens = toolTokens
    }

    package func run(_ sessions: [CorpusSession]) -> CorpusBenchReport {
        // Timed first: the tokenizer caches counts for the whole process, so a request
        // met before would be counted faster than a new conversation is.
        let timing = timings(sessions)
        var results: [SessionBenchResult] = []
        do {
            // One pipeline replays every session, as a proxy would see them; another meets
            // each whole request for the first time. Both are gone before the timings.
            let live = makePipeline()
            let firstSight = makePipeline()
            for session in sessions {
                results.append(measure(session, live: live, firstSight: firstSight))
            }
        }
        if replay, let makePersistentPipeline {
            // A daemon restarted before every request, with its state in a directory of
            // the bench's own: each request must go upstream as in the uninterrupted replay.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-bench-state-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let uninterrupted = makePipeline()
            for (index, session) in sessions.enumerated() {
                for request in session.replayRequests {
                    let expected = uninterrupted.compress(request, mode: mode).chatRequest
                    let restarted = makePersistentPipeline(directory)
                    let forwarded = restarted.compress(request, mode: mode).chatRequest
                    restarted.flushState()
                    if forwarded.serializedBytes() != expected.serializedBytes() { results[index].restartChangedRequests += 1 }
                }
            }
        }
        if replay {
            // A daemon that has met the sessions before: each whole session first (as a
            // first-sight compression would), then the replay, then the replay again.
            // Each request must be treated by the history of its own replay, never by a
            // cut made for a longer version of the conversation met earlier.
            let seen = makePipeline()
            for session in sessions { _ = seen.compress(session.request, mode: mode) }
            for (index, session) in sessions.enumerated() {
                let pass = replayCost(session, pipeline: seen)
                results[index].seenWholeCostCompressed = pass.cost
                results[index].seenWholePrefixBreaks = pass.breaks
                results[index].invalidRequests += pass.invalid
            }
            for (index, session) in sessions.enumerated() {
                let pass = replayCost(session, pipeline: seen)
                results[index].replayedTwiceCostCompressed = pass.cost
                results[index].replayedTwicePrefixBreaks = pass.breaks
                results[index].invalidRequests += pass.invalid
            }
        }
        var report = CorpusBenchReport(mode: mode, sessions: results)
        if let timing {
            report.coldMillis = timing.cold
            report.warmMillis = timing.warm
            report.coldSessions = timing.coldIDs
            report.timingSession = timing.id
            report.timingTokens = timing.tokens
        }
        return report
    }

    func measure(_ session: CorpusSession, live: CompressionPipeline, firstSight: CompressionPipeline) -> SessionBenchResult {
        var result = SessionBenchResult(id: session.id, kind: session.kind)
        let texts = { (request: ChatRequest) in request.messages.compactMap { $0.content.text } }
        func factsKept(_ request: ChatRequest) -> Int {
            session.needles.filter { needle in texts(request).contains { $0.contains(needle) } }.count
        }
        if replay {
            var previous: (original: [ChatMessage], compressed: [ChatMessage]) = ([], [])
            for request in session.replayRequests {
                let outcome = live.compress(request, mode: mode)
                if request.messages.count == session.request.messages.count {
                    result.liveTokensOut = outcome.tokensOut
                    result.liveFactsKept = factsKept(outcome.chatRequest)
                }
                result.invalidRequests += problems(request, outcome.chatRequest).isEmpty ? 0 : 1
                let tools = toolTokens(request)
                result.costUncompressed += cost(request.messages, after: previous.original, tools: tools)
                result.costCompressed += cost(outcome.chatRequest.messages, after: previous.compressed, tools: tools)
                result.blockCostUncompressed += cost(request.messages, after: previous.original, tools: tools, blocks: true)
                result.blockCostCompressed += cost(outcome.chatRequest.messages, after: previous.compressed, tools: tools, blocks: true)
                if !previous.compressed.isEmpty, !outcome.chatRequest.messages.starts(with: previous.compressed) {
                    result.prefixBreaks += 1
                }
                result.replayRequests += 1
                previous = (request.messages, outcome.chatRequest.messages)
            }
        }
        let outcome = firstSight.compress(session.request, mode: mode)
        result.tokensIn = outcome.tokensIn
        result.tokensOut = outcome.tokensOut
        result.stages = outcome.stages
        result.failOpenReason = outcome.failOpenReason
        result.problems = problems(session.request, outcome.chatRequest)
        if !replay { result.invalidRequests = result.problems.isEmpty ? 0 : 1 }
        result.factsTotal = session.needles.count
        result.factsKept = factsKept(outcome.chatRequest)
        return result
    }

    /// The cache-aware cost of replaying a session through `pipeline`, how often a request
    /// did not start with the previous one's messages, and how many requests were invalid.
    func replayCost(_ session: CorpusSession, pipeline: CompressionPipeline) -> (cost: Double, breaks: Int, invalid: Int) {
        var previous: [ChatMessage] = []
        var total = (cost: 0.0, breaks: 0, invalid: 0)
        for request in session.replayRequests {
            let outcome = pipeline.compress(request, mode: mode)
            total.invalid += problems(request, outcome.chatRequest).isEmpty ? 0 : 1
            total.cost += cost(outcome.chatRequest.messages, after: previous, tools: toolTokens(request))
            if !previous.isEmpty, !outcome.chatRequest.messages.starts(with: previous) { total.breaks += 1 }
            previous = outcome.chatRequest.messages
        }
        return total
    }

    /// Validity problems of a compressed request against its original.
    func problems(_ original: ChatRequest, _ compressed: ChatRequest) -> [String] {
        var problems = RequestInvariants.violations(original: original, compressed: compressed, systemVerbatim: true)
        if RequestInvariants.pairingProblems(original).isEmpty {
            problems += RequestInvariants.pairingProblems(compressed)
        }
        return problems
    }

    /// The cache-aware cost of a request: the tokens it shares with the start of the
    /// previous request (`sharedPrefixTokens`) at 0.1, the rest at 1.
    ///
    /// With `blocks`, the cache works as OpenAI documents it: nothing is cached below
    /// 1024 shared tokens, and above that in whole 128-token blocks.
    func cost(_ messages: [ChatMessage], after previous: [ChatMessage], tools: Int, blocks: Bool = false) -> Double {
        var total = tools
        for message in messages { total += messageTokens(message) }
        guard !previous.isEmpty else { return Double(total) }
        var cached = sharedPrefixTokens(messages, previous, tools: tools)
        if blocks { cached = cached < 1024 ? 0 : cached / 128 * 128 }
        return 0.1 * Double(cached) + Double(total - cached)
    }

    /// The tokens a request shares with the start of the previous one: the tools, the
    /// leading messages both have, and the head of the first message that differs (its
    /// content up to the last line break the two have in common, when only the
    /// content differs), as a provider caches the longest common token prefix.
    func sharedPrefixTokens(_ messages: [ChatMessage], _ previous: [ChatMessage], tools: Int) -> Int {
        var shared = tools
        var common = 0
        while common < messages.count, common < previous.count, messages[common] == previous[common] {
            shared += messageTokens(messages[common])
            common += 1
        }
        guard common < messages.count, common < previous.count else { return shared }
        var new = messages[common]
        var old = previous[common]
        guard case .text(let newText) = new.content, case .text(let oldText) = old.content else { return shared }
        new.content = .text("")
        old.content = .text("")
        guard new == old else { return shared }
        var head = 0
        var lastBreak = 0
        for (a, b) in zip(newText.utf8, oldText.utf8) {
            guard a == b else { break }
            head += 1
            if a == UInt8(ascii: "\n") { lastBreak = head }
        }
        guard lastBreak > 0 else { return shared }
        new.content = .text(String(decoding: newText.utf8.prefix(lastBreak), as: UTF8.self))
        return shared + messageTokens(new)
    }

    /// Pipeline time. Warm, for one new turn of the session nearest 30k tokens: the median
    /// over its replay of each request after the one before it, the memo filled by those
    /// before, re-cuts included as they happen. Cold: the median over the next 5 sessions
    /// nearest 30k tokens, each met once by a fresh pipeline (its memo empty, and the
    /// process's tokenizer caches holding only what earlier sessions left, as a daemon's
    /// do when a new conversation arrives).
    func timings(_ sessions: [CorpusSession]) -> (id: String, tokens: Int, coldIDs: [String], cold: Double, warm: Double)? {
        let nearest = sessions.map { session in
            (session, session.request.messages.reduce(toolTokens(session.request)) { $0 + messageTokens($1) })
        }.sorted { abs($0.1 - 30_000) < abs($1.1 - 30_000) }.prefix(6)
        guard let (session, tokens) = nearest.first else { return nil }
        var warm: [Double] = []
        let pipeline = makePipeline()
        for (index, request) in session.replayRequests.enumerated() {
            let elapsed = milliseconds(pipeline.compress(request, mode: mode).elapsed)
            if index > 0 { warm.append(elapsed) }
        }
        let coldSessions = nearest.count > 1 ? nearest.dropFirst() : nearest
        var cold: [Double] = []
        for (coldSession, _) in coldSessions {
            cold.append(milliseconds(makePipeline().compress(coldSession.request, mode: mode).elapsed))
        }
        return (session.id, tokens, coldSessions.map(\.0.id), median(cold), median(warm))
    }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

extension CorpusBench {
    /// The bench over the standard pipeline, counting in o200k_base as the corpus does.
    ///
    /// The time budget is lifted to 10 s: the figures must not depend on how busy the
    /// machine is (a request that overruns goes out uncompressed). Times are measured and
    /// compared with the targets, not enforced.
    package static func standard(settings: PipelineSettings, mode: CompressionMode, replay: Bool) throws -> CorpusBench {
        var settings = settings
        settings.timeBudgetMilliseconds = max(settings.timeBudgetMilliseconds, 10_000)
        // Each pipeline starts empty, and a bench never writes into the user's state directory.
        settings.stateDirectory = nil
        // Its own caches: counting for the figures must not warm the pipelines' tokenizer.
        let chat = ChatTokenCounter(tokenizer: try Tokenizer.shared(.o200kBase).withEmptyCaches())
        return CorpusBench(
            mode: mode, replay: replay, makePipeline: { CompressionPipeline.standard(settings: settings) },
            makePersistentPipeline: { directory in
                var persistent = settings
                persistent.stateDirectory = directory
                return CompressionPipeline.standard(settings: persistent)
            },
            messageTokens: { chat.count($0) },
            toolTokens: { chat.count(ChatRequest(body: $0.body, messages: [])) })
    }
}
