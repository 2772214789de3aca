import Testing

@testable import CondenserBench
@testable import CondenserCore

@Suite struct MarkdownSectionTests {
    static let machine = MachineFacts(cores: 2, cpu: "Test CPU @ 2.0GHz", build: "release", date: "2026-12-03")

    /// The table's lines: from the header row to the end of the section.
    func tableLines(_ text: String) -> [Substring] {
        Array(text.split(separator: "\n").drop { !$0.hasPrefix("|") })
    }

    @Test func aSectionIsAHeadingTheCommandTheMachineNotesAndATable() {
        let section = MarkdownSection(
            title: "Proxy overhead", command: "condenser bench proxy --iterations 50", machine: Self.machine,
            notes: ["What the proxy adds."], header: ["measure", "value"],
            rows: [["added latency, 10k tokens", "p50 0.123 ms"], ["small requests", "4321 req/s"]])
        let text = section.render()
        #expect(text.hasPrefix("## Proxy overhead\n\n```sh\ncondenser bench proxy --iterations 50\n```\n\n"))
        #expect(text.contains("\nMeasured on 2 cores (Test CPU @ 2.0GHz), release build, 2026-12-03.\n\nWhat the proxy adds.\n\n"))
        #expect(
            tableLines(text) == [
                "| measure | value |", "| --- | --- |", "| added latency, 10k tokens | p50 0.123 ms |", "| small requests | 4321 req/s |",
            ])
        // Sections concatenate: each ends with a blank line.
        #expect(text.hasSuffix("|\n\n"))
    }

    @Test func cellsCannotBreakTheTable() {
        let section = MarkdownSection(
            title: "t", command: "c", machine: Self.machine, header: ["a", "b", "c"], rows: [["x | y", "one\ntwo"], ["<= 1 ms"]])
        #expect(
            tableLines(section.render()) == ["| a | b | c |", "| --- | --- | --- |", "| x \\| y | one two |  |", "| \\<= 1 ms |  |  |"])
    }

    @Test func theCommandIsTheInvocationWithoutMarkdown() {
        #expect(
            reproducingCommand(["/usr/bin/condenser", "bench", "corpus", "--front", "anthropic", "--markdown"])
                == "condenser bench corpus --front anthropic")
        #expect(
            reproducingCommand(["condenser", "bench", "corpus", "my corpus.jsonl", "--markdown"])
                == "condenser bench corpus 'my corpus.jsonl'")
    }

    @Test func theCorpusSectionCarriesTheMeasuredTargets() {
        var agent = SessionBenchResult(id: "a-1", kind: "agent")
        (agent.tokensIn, agent.tokensOut, agent.factsKept, agent.factsTotal) = (1000, 430, 3, 3)
        var chat = SessionBenchResult(id: "c-1", kind: "chat")
        (chat.tokensIn, chat.tokensOut, chat.factsKept, chat.factsTotal) = (1000, 807, 1, 2)
        var report = CorpusBenchReport(mode: .safe, sessions: [agent, chat])
        report.coldMillis = 8.43
        let text = report.markdownSection(command: "condenser bench corpus", machine: Self.machine).render()
        #expect(text.hasPrefix("## Corpus, OpenAI chat front (safe)\n"))
        #expect(text.contains("\nmode safe; 2 sessions; "))
        let table = tableLines(text)
        #expect(table.first == "| measure | value | target | met |")
        #expect(table.contains("| savings, agent sessions, median (first sight) | 57.0% | >= 45% | yes |"))
        #expect(table.contains("| savings, chats, median (first sight) | 19.3% | >= 15% | yes |"))
        #expect(table.contains("| planted facts kept | 4/5 | 100% | NO |"))
        #expect(table.contains("| pipeline time, ~30k tokens, cold | 8.43 ms | \\<= 10 ms | yes |"))
    }

    @Test func aFrontCorpusSectionCarriesTheMediansPerKind() {
        var first = FrontCorpusBench.SessionResult(id: "a-1", kind: "agent")
        (first.tokensIn, first.tokensOut, first.liveTokensIn, first.liveTokensOut) = (1000, 441, 1000, 723)
        (first.costUncompressed, first.costCompressed, first.factsKept, first.factsTotal) = (100, 74, 2, 2)
        var second = FrontCorpusBench.SessionResult(id: "c-1", kind: "chat")
        (second.tokensIn, second.tokensOut, second.failedOpen) = (500, 404, 1)
        let bench = FrontCorpusBench(front: .responses, mode: .safe) { fatalError("no run") }
        let text = bench.markdownSection([first, second], command: "condenser bench corpus --front responses", machine: Self.machine)
            .render()
        #expect(text.hasPrefix("## Corpus, OpenAI Responses front (safe)\n"))
        #expect(text.contains("\nfacts kept 2/2; invalid requests 0; failed open 1\n"))
        #expect(tableLines(text).dropFirst(2) == ["| agent | 1 | 55.9% | 27.7% | 0.740 |", "| chat | 1 | 19.2% | 0.0% | 1.000 |"])
    }

    @Test func theTokenizerSectionListsEveryFigureRow() {
        let figures = [
            TokenizerBench.Figure(
                line: "o200k_base: ...", rows: [["o200k_base: load", "41.2 [40.9] ms"], ["o200k_base: throughput", "12.34 [12.50] MB/s"]]),
            TokenizerBench.Figure(line: "tiktoken: skipped, x", rows: [["tiktoken", "skipped, x"]]),
        ]
        let text = TokenizerBench.markdownSection(figures, command: "condenser bench tokenizer", machine: Self.machine).render()
        #expect(
            tableLines(text) == [
                "| measure | value |", "| --- | --- |", "| o200k\\_base: load | 41.2 [40.9] ms |",
                "| o200k\\_base: throughput | 12.34 [12.50] MB/s |",
                "| tiktoken | skipped, x |",
            ])
    }

    @Test func theProxySectionCarriesItsRows() {
        let report = ProxyBenchReport(rows: [
            ["small requests through the proxy, 32 clients", "5210 req/s", "(direct 9120 req/s)", ">= 2,000 req/s: met"]
        ])
        let text = report.markdownSection(command: "condenser bench proxy", machine: Self.machine, separateProcess: true).render()
        #expect(text.hasPrefix("## Proxy overhead (the daemon as a separate process)\n"))
        #expect(
            tableLines(text).last
                == "| small requests through the proxy, 32 clients | 5210 req/s | (direct 9120 req/s) | >= 2,000 req/s: met |")
    }
}
