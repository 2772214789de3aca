import CondenserCore

/// The corpus bench's figures: per session, and summarised against the targets.
package struct CorpusBenchReport: Sendable, Codable {
    var mode: CompressionMode
    var sessions: [SessionBenchResult]
    /// Pipeline time in milliseconds: warm, one new turn of the session nearest 30k tokens
    /// (`timingSession`, `timingTokens` tokens); cold, the median over the next nearest
    /// (`coldSessions`), each met once by a fresh pipeline.
    var coldMillis: Double?
    var warmMillis: Double?
    var coldSessions: [String] = []
    var timingSession: String?
    var timingTokens: Int?

    init(mode: CompressionMode, sessions: [SessionBenchResult]) {
        self.mode = mode
        self.sessions = sessions
    }

    func of(_ kind: String) -> [SessionBenchResult] { sessions.filter { $0.kind == kind } }

    func medianSavings(_ kind: String) -> Double { median(of(kind).map(\.savings)) }
    func medianEffectiveCost(_ kind: String, blocks: Bool = false) -> Double {
        median(of(kind).filter { $0.replayRequests > 0 }.map { blocks ? $0.blockEffectiveCost : $0.effectiveCost })
    }
    /// Median replay cost through a pipeline that met each whole session first, and of
    /// the second replay through it.
    func medianSeenWholeCost(_ kind: String) -> Double {
        median(of(kind).filter { $0.replayRequests > 0 }.map(\.seenWholeEffectiveCost))
    }
    func medianReplayedTwiceCost(_ kind: String) -> Double {
        median(of(kind).filter { $0.replayRequests > 0 }.map(\.replayedTwiceEffectiveCost))
    }
    var seenWholePrefixBreaks: Int { sessions.reduce(0) { $0 + $1.seenWholePrefixBreaks } }
    var replayedTwicePrefixBreaks: Int { sessions.reduce(0) { $0 + $1.replayedTwicePrefixBreaks } }
    var restartChangedRequests: Int { sessions.reduce(0) { $0 + $1.restartChangedRequests } }
    /// Sessions of a kind whose replay cost more than sending them uncompressed: savings
    /// that cache misses ate, and more.
    func sessionsCostingMore(_ kind: String) -> [SessionBenchResult] {
        of(kind).filter { $0.replayRequests > 0 && $0.effectiveCost > 1 }
    }
    var factsKept: Int { sessions.reduce(0) { $0 + $1.factsKept } }
    /// Median savings of the whole request at the end of the replay; nil without one.
    func medianLiveSavings(_ kind: String) -> Double? {
        let values = of(kind).compactMap(\.liveSavings)
        return values.isEmpty ? nil : median(values)
    }
    /// Facts kept in the whole requests at the end of the replay; nil without one.
    var liveFactsKept: Int? {
        sessions.contains { $0.liveFactsKept == nil } ? nil : sessions.reduce(0) { $0 + ($1.liveFactsKept ?? 0) }
    }
    var factsTotal: Int { sessions.reduce(0) { $0 + $1.factsTotal } }
    var invalidRequests: Int { sessions.reduce(0) { $0 + $1.invalidRequests } }
    var prefixBreaks: Int { sessions.reduce(0) { $0 + $1.prefixBreaks } }
    var replayRequests: Int { sessions.reduce(0) { $0 + $1.replayRequests } }

    /// Tokens each stage removed from the whole-session requests of a kind, as a fraction
    /// of their tokens in, in pipeline order of first appearance.
    func stageShares(_ kind: String) -> [(stage: String, share: Double)] {
        let group = of(kind)
        let total = Double(group.reduce(0) { $0 + $1.tokensIn })
        var order: [String] = []
        var saved: [String: Int] = [:]
        for session in group {
            for stage in session.stages {
                if saved[stage.stage] == nil { order.append(stage.stage) }
                saved[stage.stage, default: 0] += stage.tokensSaved
            }
        }
        return order.map { ($0, total > 0 ? Double(saved[$0]!) / total : 0) }
    }

    /// One target: what is measured, the figure, the goal, and whether it is met.
    struct Target: Sendable {
        var measure: String
        var value: String
        var goal: String
        var met: Bool
    }

    var targets: [Target] {
        var targets: [Target] = [
            Target(
                measure: "savings, agent sessions, median (first sight)", value: percent(medianSavings("agent")), goal: ">= 45%",
                met: medianSavings("agent") >= 0.45),
            Target(
                measure: "savings, chats, median (first sight)", value: percent(medianSavings("chat")), goal: ">= 15%",
                met: medianSavings("chat") >= 0.15),
            Target(
                measure: "planted facts kept", value: "\(factsKept)/\(factsTotal)", goal: "100%", met: factsKept == factsTotal),
            Target(measure: "invalid requests", value: "\(invalidRequests)", goal: "0", met: invalidRequests == 0),
        ]
        if let agent = medianLiveSavings("agent"), let chat = medianLiveSavings("chat"), let kept = liveFactsKept {
            // The same requests at the end of a back-to-back replay, where the cache is warm
            // and only re-cuts that pay have summarised: what a live session gets.
            targets += [
                Target(measure: "savings, agent, live end of replay", value: percent(agent), goal: "", met: true),
                Target(measure: "savings, chats, live end of replay", value: percent(chat), goal: "", met: true),
                Target(measure: "facts kept, live end of replay", value: "\(kept)/\(factsTotal)", goal: "100%", met: kept == factsTotal),
            ]
        }
        if replayRequests > 0 {
            let cost = medianEffectiveCost("agent")
            targets.append(
                Target(measure: "effective cost in replay, agent, median", value: fixed(cost, 3), goal: "<= 0.7", met: cost <= 0.7))
            // Not a target of its own: chats' summaries must not cost more than they save.
            let chatCost = medianEffectiveCost("chat")
            targets.append(
                Target(measure: "effective cost in replay, chats, median", value: fixed(chatCost, 3), goal: "<= 1.0", met: chatCost <= 1))
            // A daemon that met the sessions before must cost what a fresh one does.
            for (measure, agent, chat) in [
                ("met whole first", medianSeenWholeCost("agent"), medianSeenWholeCost("chat")),
                ("replayed twice", medianReplayedTwiceCost("agent"), medianReplayedTwiceCost("chat")),
            ] {
                targets.append(
                    Target(
                        measure: "effective cost, \(measure), agent", value: fixed(agent, 3), goal: "<= " + fixed(cost, 3),
                        met: agent <= cost + 0.0005))
                targets.append(
                    Target(
                        measure: "effective cost, \(measure), chats", value: fixed(chat, 3), goal: "<= " + fixed(chatCost, 3),
                        met: chat <= chatCost + 0.0005))
            }
        }
        if let coldMillis {
            targets.append(
                Target(
                    measure: "pipeline time, ~30k tokens, cold", value: fixed(coldMillis, 2) + " ms", goal: "<= 10 ms",
                    met: coldMillis <= 10))
        }
        if let warmMillis {
            targets.append(
                Target(
                    measure: "pipeline time, one new turn, warm", value: fixed(warmMillis, 3) + " ms", goal: "<= 1 ms", met: warmMillis <= 1
                ))
        }
        return targets
    }

    /// The lines between the per-session table and the targets: totals, stage shares,
    /// block-granular cost, dearer sessions and what the timings measured.
    var summaryLines: [String] {
        var lines: [String] = []
        lines.append("mode \(mode.rawValue); \(sessions.count) sessions; \(replayRequests) replay requests, \(prefixBreaks) prefix breaks")
        if replayRequests > 0 {
            lines.append(
                "prefix breaks through a pipeline that met each whole session first: \(seenWholePrefixBreaks); replayed twice: \(replayedTwicePrefixBreaks)"
            )
            lines.append("replay requests forwarded differently with a restart before each request: \(restartChangedRequests)")
        }
        for kind in ["agent", "chat"] where !of(kind).isEmpty {
            let shares = stageShares(kind).map { "\($0.stage) \(percent($0.share))" }.joined(separator: ", ")
            lines.append("\(kind): stage savings of tokens in: \(shares.isEmpty ? "none" : shares)")
        }
        if replayRequests > 0 {
            lines.append(
                "cache-aware cost with OpenAI's granularity (from 1024 tokens, in 128-token blocks), medians: agent "
                    + fixed(medianEffectiveCost("agent", blocks: true), 3) + ", chats "
                    + fixed(medianEffectiveCost("chat", blocks: true), 3))
            let dearer = ["agent", "chat"].map { kind in
                let group = sessionsCostingMore(kind)
                let worst = group.map(\.effectiveCost).max().map { " (worst " + fixed($0, 3) + ")" } ?? ""
                return "\(kind) \(group.count) of \(of(kind).count)" + worst
            }
            lines.append("sessions whose replay cost more than uncompressed: " + dearer.joined(separator: ", "))
        }
        if let timingSession, let timingTokens {
            lines.append(
                "timings: warm, each new turn of \(timingSession) (\(timingTokens) tokens); cold, the median over the next "
                    + "\(coldSessions.count) sessions nearest 30k tokens, each met once (" + coldSessions.joined(separator: ", ") + ")")
        }
        return lines
    }

    /// The per-session table, stage shares and the summary against the targets.
    package func renderTable() -> String {
        var rows: [[String]] = [
            ["session", "kind", "in", "out", "saved", "live", "facts", "invalid", "replay", "breaks", "eff. cost", "note"]
        ]
        for s in sessions {
            rows.append([
                s.id, s.kind, "\(s.tokensIn)", "\(s.tokensOut)", percent(s.savings), s.liveSavings.map(percent) ?? "-",
                "\(s.factsKept)/\(s.factsTotal)",
                "\(s.invalidRequests)", "\(s.replayRequests)", "\(s.prefixBreaks)", s.replayRequests > 0 ? fixed(s.effectiveCost, 3) : "-",
                s.failOpenReason ?? s.problems.first ?? "",
            ])
        }
        var out = TextTable.render(rows, rightAligned: Set(2..<11))
        out += "\n" + summaryLines.map { $0 + "\n" }.joined()
        out += "\n"
        var summary: [[String]] = [["measure", "value", "target", "met"]]
        for target in targets { summary.append([target.measure, target.value, target.goal, target.met ? "yes" : "NO"]) }
        out += TextTable.render(summary, rightAligned: [1])
        return out
    }
}

extension CorpusBenchReport {
    /// The figures as JSON: `summary` (each target with its value and whether it is met,
    /// stage shares per kind, timings) and `sessions`.
    package func json() -> JSONValue {
        func number(_ value: Double, _ digits: Int) -> JSONValue { value.isFinite ? .number(fixed(value, digits)) : .null }
        let targetValues: [JSONValue] = targets.map { target in
            .object([
                "measure": .string(target.measure), "value": .string(target.value), "target": .string(target.goal),
                "met": .bool(target.met),
            ])
        }
        var shares = JSONObject()
        for kind in ["agent", "chat"] where !of(kind).isEmpty {
            shares[kind] = .object(JSONObject(members: stageShares(kind).map { JSONMember(key: $0.stage, value: number($0.share, 4)) }))
        }
        var summary: JSONObject = [
            "mode": .string(mode.rawValue),
            "sessions": .int(sessions.count),
            "median_savings_agent": number(medianSavings("agent"), 4),
            "median_savings_chat": number(medianSavings("chat"), 4),
            "facts_kept": .int(factsKept),
            "facts_total": .int(factsTotal),
            "median_live_savings_agent": medianLiveSavings("agent").map { number($0, 4) } ?? .null,
            "median_live_savings_chat": medianLiveSavings("chat").map { number($0, 4) } ?? .null,
            "live_facts_kept": liveFactsKept.map { .int($0) } ?? .null,
            "invalid_requests": .int(invalidRequests),
            "replay_requests": .int(replayRequests),
            "prefix_breaks": .int(prefixBreaks),
            "stage_shares": .object(shares),
            "targets": .array(targetValues),
        ]
        if replayRequests > 0 {
            summary["median_effective_cost_agent"] = number(medianEffectiveCost("agent"), 4)
            summary["median_effective_cost_chat"] = number(medianEffectiveCost("chat"), 4)
            summary["median_block_effective_cost_agent"] = number(medianEffectiveCost("agent", blocks: true), 4)
            summary["median_block_effective_cost_chat"] = number(medianEffectiveCost("chat", blocks: true), 4)
            summary["sessions_costing_more_agent"] = .int(sessionsCostingMore("agent").count)
            summary["sessions_costing_more_chat"] = .int(sessionsCostingMore("chat").count)
            summary["median_seen_whole_cost_agent"] = number(medianSeenWholeCost("agent"), 4)
            summary["median_seen_whole_cost_chat"] = number(medianSeenWholeCost("chat"), 4)
            summary["median_replayed_twice_cost_agent"] = number(medianReplayedTwiceCost("agent"), 4)
            summary["median_replayed_twice_cost_chat"] = number(medianReplayedTwiceCost("chat"), 4)
            summary["seen_whole_prefix_breaks"] = .int(seenWholePrefixBreaks)
            summary["replayed_twice_prefix_breaks"] = .int(replayedTwicePrefixBreaks)
            summary["restart_changed_requests"] = .int(restartChangedRequests)
        }
        if let coldMillis { summary["cold_ms"] = number(coldMillis, 3) }
        if let warmMillis { summary["warm_ms"] = number(warmMillis, 3) }
        if let timingSession { summary["timing_session"] = .string(timingSession) }
        if !coldSessions.isEmpty { summary["cold_sessions"] = .array(coldSessions.map { .string($0) }) }
        let rows: [JSONValue] = sessions.map { s in
            var row: JSONObject = [
                "id": .string(s.id), "kind": .string(s.kind), "tokens_in": .int(s.tokensIn), "tokens_out": .int(s.tokensOut),
                "savings": number(s.savings, 4), "facts_kept": .int(s.factsKept), "facts_total": .int(s.factsTotal),
                "invalid_requests": .int(s.invalidRequests), "problems": .array(s.problems.map { .string($0) }),
                "replay_requests": .int(s.replayRequests), "prefix_breaks": .int(s.prefixBreaks),
                "stages": .object(JSONObject(members: s.stages.map { JSONMember(key: $0.stage, value: .int($0.tokensSaved)) })),
            ]
            if s.replayRequests > 0 { row["effective_cost"] = number(s.effectiveCost, 4) }
            if let live = s.liveSavings { row["live_savings"] = number(live, 4) }
            if let reason = s.failOpenReason { row["fail_open_reason"] = .string(reason) }
            return .object(row)
        }
        return .object(["summary": .object(summary), "sessions": .array(rows)])
    }
}

extension CorpusBenchReport {
    /// The summary lines and the targets table as a section of docs/BENCHMARKS.md.
    package func markdownSection(command: String, machine: MachineFacts) -> MarkdownSection {
        MarkdownSection(
            title: "Corpus, OpenAI chat front (\(mode.rawValue))", command: command, machine: machine, notes: summaryLines,
            header: ["measure", "value", "target", "met"],
            rows: targets.map { [$0.measure, $0.value, $0.goal, $0.met ? "yes" : "NO"] })
    }
}
