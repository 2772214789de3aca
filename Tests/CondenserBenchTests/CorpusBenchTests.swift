import CondenserTestSupport
import Foundation
import Testing

@testable import CondenserBench
@testable import CondenserCore

@Suite struct CorpusBenchTests {
    /// `../shared/corpus/dev.jsonl`; skips or fails the calling test without it (see `SharedMaterial`).
    static func devCorpusPath() throws -> String {
        try SharedMaterial.url("corpus/dev.jsonl").path
    }

    @Test func devCorpusKeepsEveryFactAndStaysValid() throws {
        let sessions = try CorpusSession.load(path: Self.devCorpusPath())
        #expect(sessions.count >= 50)
        var settings = PipelineSettings()
        // Debug builds are slow; the budget would fail open and prove nothing.
        settings.timeBudgetMilliseconds = 10_000
        // Aggressive: every stage, summaries included (the riskiest for facts).
        let report = try CorpusBench.standard(settings: settings, mode: .aggressive, replay: false).run(sessions)
        #expect(report.factsKept == report.factsTotal)
        #expect(report.invalidRequests == 0)
        #expect(report.sessions.allSatisfy { $0.failOpenReason == nil })
        #expect(report.medianSavings("agent") > 0.1)
    }

    @Test func replayRequestsEndWhereTheAssistantRespondsNext() {
        let request = syntheticSession(rounds: 8)
        let requests = CorpusSession(id: "s", kind: "agent", request: request, needles: []).replayRequests
        #expect(requests.last == request)
        for replayed in requests {
            let last = replayed.messages.last!
            #expect(last.role == "user" || last.role == "tool")
            #expect(RequestInvariants.pairingProblems(replayed).isEmpty)
        }
        #expect(requests.count == 1 + 8 + 1)
    }

    @Test func effectiveCostBillsTheRepeatedPrefixAtATenth() {
        let bench = CorpusBench(
            mode: .safe, makePipeline: { makePipeline() }, messageTokens: { _ in 10 }, toolTokens: { _ in 5 })
        let a = ChatMessage(role: "user", content: "a")
        let b = ChatMessage(role: "assistant", content: "b")
        #expect(bench.cost([a], after: [], tools: 5) == 15)
        #expect(bench.cost([a, b], after: [a], tools: 5) == 0.5 + 1 + 10)
        #expect(bench.cost([b, b], after: [a], tools: 5) == 0.5 + 20)
    }

    @Test func sharedPrefixCountsTheCommonHeadOfTheFirstDifferentMessage() {
        // A message costs one token per character of content plus 3.
        let bench = CorpusBench(
            mode: .safe, makePipeline: { makePipeline() }, messageTokens: { ($0.content.text ?? "").count + 3 }, toolTokens: { _ in 0 })
        let a = ChatMessage(role: "user", content: "aaaa")
        let old = ChatMessage(role: "tool", content: "line one\nline two\nend")
        let new = ChatMessage(role: "tool", content: "line one\nline 2\nend")
        // `a` whole, then the tool message up to the last line break both share.
        #expect(bench.sharedPrefixTokens([a, new], [a, old], tools: 2) == 2 + 7 + ("line one\n".count + 3))
        // A different role shares nothing past the common messages.
        #expect(bench.sharedPrefixTokens([a, ChatMessage(role: "assistant", content: "line one\nx")], [a, old], tools: 2) == 9)
        #expect(bench.cost([a, new], after: [a, old], tools: 2) == 0.1 * 21 + Double(2 + 7 + 22 - 21))
    }

    @Test func blockCostCachesFrom1024TokensIn128TokenBlocks() {
        let bench = CorpusBench(
            mode: .safe, makePipeline: { makePipeline() }, messageTokens: { ($0.content.text ?? "").count }, toolTokens: { _ in 0 })
        let small = ChatMessage(role: "user", content: String(repeating: "a", count: 1000))
        let large = ChatMessage(role: "user", content: String(repeating: "b", count: 1300))
        let next = ChatMessage(role: "user", content: "cc")
        #expect(bench.cost([small, next], after: [small], tools: 0, blocks: true) == 1002)
        #expect(bench.cost([large, next], after: [large], tools: 0, blocks: true) == 0.1 * 1280 + 22)
        #expect(bench.cost([large, next], after: [large], tools: 0) == 0.1 * 1300 + 2)
    }

    @Test func reportCountsSessionsWhoseReplayCostMoreThanUncompressed() {
        func session(_ id: String, kind: String, cost: Double) -> SessionBenchResult {
            var result = SessionBenchResult(id: id, kind: kind)
            result.replayRequests = 3
            result.costUncompressed = 100
            result.costCompressed = 100 * cost
            return result
        }
        let report = CorpusBenchReport(
            mode: .safe,
            sessions: [
                session("a-1", kind: "agent", cost: 0.7), session("a-2", kind: "agent", cost: 1.0),
                session("c-1", kind: "chat", cost: 1.2), session("c-2", kind: "chat", cost: 0.9),
            ])
        #expect(report.sessionsCostingMore("agent").isEmpty)
        #expect(report.sessionsCostingMore("chat").map(\.id) == ["c-1"])
        #expect(report.renderTable().contains("cost more than uncompressed: agent 0 of 2, chat 1 of 2 (worst 1.200)"))
    }

    @Test func reportJSONParsesAndCarriesTheSummary() throws {
        let sessions = [
            CorpusSession(id: "a-1", kind: "agent", request: syntheticSession(rounds: 10), needles: ["src/f1.py"]),
            CorpusSession(id: "c-1", kind: "chat", request: syntheticSession(rounds: 3), needles: []),
        ]
        let bench = CorpusBench(
            mode: .safe, makePipeline: { makePipeline() }, messageTokens: { testCounter().message(.object($0.object)) },
            toolTokens: { _ in 0 })
        let report = bench.run(sessions)
        #expect(report.sessions.count == 2)
        #expect(report.factsKept == 1)
        #expect(report.invalidRequests == 0)
        #expect(report.prefixBreaks == 0)
        let json = report.json()
        #expect(try JSONParser.parse(json.serialized()) == json)
        let summary = try #require(json.objectValue?["summary"]?.objectValue)
        #expect(summary["invalid_requests"]?.intValue == 0)
        #expect(summary["targets"]?.arrayValue?.isEmpty == false)
        #expect(report.renderTable().contains("a-1"))
    }
}
