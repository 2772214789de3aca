import ArgumentParser
import CondenserBench
import CondenserCore
import CondenserServer

/// `condenser bench corpus`: the pipeline against an evaluation corpus and its targets.
struct BenchCorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Compress every session of an evaluation corpus and compare the figures with the targets.",
        discussion: """
            For each session: tokens in and out, planted facts kept, validity errors, and in replay \
            (every request an agent sends as the session grows) prefix breaks and the cache-aware \
            effective cost against the uncompressed requests (a repeated prefix at 0.1, the rest at 1). \
            Then medians per kind, stage contributions and pipeline timings. Use a release build for timings.
            """
    )

    @Argument(help: "The corpus, JSON lines of {\"id\", \"kind\", \"request\", \"needles\"}.")
    var path = "../shared/corpus/dev.jsonl"

    @Option(help: "The compression mode: safe or aggressive.")
    var mode: CompressionMode = .safe

    @Option(help: "Take the [compression] settings from this configuration file (and CONDENSER_* variables) instead of the defaults.")
    var config: String?

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @Flag(
        help: "Print the figures as a Markdown section (for docs/BENCHMARKS.md): the summary and the targets, without the per-session rows."
    )
    var markdown = false

    @Flag(help: "Skip the replay (faster; no effective cost).")
    var noReplay = false

    @Option(
        help:
            "The front the sessions go through: openai-chat, anthropic (Messages requests the way Claude Code sends them), or responses (Responses requests the way Codex CLI sends them)."
    )
    var front = "openai-chat"

    func validate() throws {
        if mode == .off { throw ValidationError("--mode off compresses nothing; use safe or aggressive.") }
        if !["openai-chat", "anthropic", "responses"].contains(front) {
            throw ValidationError("--front must be openai-chat, anthropic or responses.")
        }
    }

    func run() async throws {
        let sessions: [CorpusSession]
        do {
            sessions = try CorpusSession.load(path: path)
        } catch {
            throw ValidationError("\(error)")
        }
        var settings = PipelineSettings()
        if let config {
            do {
                settings = try CondenserConfiguration.load(path: config).compression
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let other = front == "anthropic" ? FrontCorpusBench.Front.anthropic : front == "responses" ? .responses : nil {
            let bench = FrontCorpusBench.standard(front: other, settings: settings, mode: mode)
            let results = bench.run(sessions)
            if markdown {
                print(bench.markdownSection(results, command: reproducingCommand(), machine: .current()).render(), terminator: "")
            } else {
                print(bench.render(results), terminator: "")
            }
            return
        }
        let bench = try CorpusBench.standard(settings: settings, mode: mode, replay: !noReplay)
        let report = bench.run(sessions)
        if markdown {
            print(report.markdownSection(command: reproducingCommand(), machine: .current()).render(), terminator: "")
        } else if json {
            print(report.json().serialized())
        } else {
            print(report.renderTable(), terminator: "")
        }
    }
}
