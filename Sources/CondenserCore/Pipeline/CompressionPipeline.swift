import Foundation
import Synchronization

/// The compression pipeline: the proxy's `ChatCompressor`.
///
/// Rewrites the text blocks of each message: the per-block stages, then `dedupe`, then
/// `boilerplate`, then, before the summary boundary (`SummaryBoundary`), the old-turn
/// summary. A message's result depends only on that message, the messages before it and
/// the boundary, so each request of a growing conversation repeats the previous one's
/// bytes up to its new messages, except at a planned re-cut. The last user message, tool
/// calls and their ids, non-text parts, every field but a text's content, the tools and
/// (with `keepSystemPromptVerbatim`) system messages go upstream as they came.
///
/// With `settings.stateDirectory`, the state that decides each conversation's boundary
/// survives a restart (`ConversationStateStore`), so a restarted process forwards earlier
/// messages with the same bytes as before.
///
/// Fail open: a time budget overrun or a broken invariant forwards the original request,
/// with the reason. docs/DESIGN.md explains the design and its figures.
package final class CompressionPipeline: ChatCompressor, Sendable {
    /// Part of every memo and conversation-state key. Bump it when any stage's output
    /// changes: the conversation state persisted across restarts (`ConversationStateStore`)
    /// is keyed by it, so a daemon running changed stages starts each conversation afresh
    /// instead of continuing from a boundary recorded for other bytes.
    static let version = "pipeline-6"

    /// How many recent requests' indexes are kept: one per conversation in progress is
    /// what counts, and each keeps its conversation's texts alive, so a local proxy's
    /// handful of concurrent sessions, no more (an evicted one is rebuilt, same result).
    static let indexSnapshotEntries = 16
    /// How many conversations' latest requests are kept, each with all its text.
    static let recentRequestEntries = 16

    package let settings: PipelineSettings
    let stages: [any TextStage]
    let summarizer: (any TextStage)?
    let counterFor: @Sendable (String) throws -> RequestTokenCounter
    let deduplicator: Deduplicator
    let boilerplate: BoilerplateRemover
    let memo: PipelineMemo
    /// Each recent conversation's boundary and when it was last forwarded.
    let ledger: CutLedger
    let keyBase: StableHash
    /// The indexes each recent request left, for the next request of its conversation.
    let indexSnapshots = IndexSnapshots(maximumEntries: CompressionPipeline.indexSnapshotEntries)
    /// The latest request of each recent conversation, with its messages' counts and hashes.
    let recentRequests = RecentRequests(maximumEntries: CompressionPipeline.recentRequestEntries)

    /// - Parameters:
    ///   - stages: per-block text stages, applied in order to every compressible block.
    ///   - summarizer: the old-turn summary stage, applied before the summary boundary.
    ///   - counterFor: the counter for a request's model (best with a count cache:
    ///     blocks repeat from request to request). A throw fails open.
    ///   - warn: told when the conversation state (`settings.stateDirectory`) can't be
    ///     read or written; compression goes on without it.
    package init(
        settings: PipelineSettings, stages: [any TextStage], summarizer: (any TextStage)?,
        warn: @escaping @Sendable (String) -> Void = CompressionPipeline.printWarning,
        counterFor: @escaping @Sendable (_ model: String) throws -> RequestTokenCounter
    ) {
        self.settings = settings
        self.stages = stages
        self.summarizer = summarizer
        self.counterFor = counterFor
        deduplicator = Deduplicator(minimumCharacters: settings.dedupeMinimumCharacters)
        boilerplate = BoilerplateRemover(minimumCharacters: settings.boilerplateMinimumCharacters)
        memo = PipelineMemo(maximumEntries: settings.memoEntries, maximumBytes: settings.memoMegabytes << 20)
        let store = settings.stateDirectory.flatMap { directory in
            directory.isEmpty
                ? nil
                : ConversationStateStore(
                    directory: directory, maximumBytes: settings.stateMegabytes << 20,
                    maximumAge: .seconds(settings.stateMaxAgeHours * 3600),
                    warn: warn)
        }
        ledger = CutLedger(maximumEntries: settings.memoEntries, store: store)
        var names = stages.map(\.name)
        if let summarizer { names.append(summarizer.name) }
        keyBase = StableHash(CompressionPipeline.version + "|" + names.joined(separator: ",")).combined(with: settings.fingerprint)
    }

    /// Waits until the conversation state is on disk (before the process exits).
    package func flushState() {
        ledger.flush()
    }

    /// Writes a warning to standard error (the journal, under systemd).
    package static let printWarning: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Stage names in pipeline order, as `CompressionOutcome.stages` lists them.
    var stageNames: [String] {
        stages.map(\.name) + [Deduplicator.name, BoilerplateRemover.name] + (summarizer.map { [$0.name] } ?? [])
    }

    package func compress(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome {
        compress(request, mode: mode, timeBudgetMilliseconds: settings.timeBudgetMilliseconds)
    }

    /// Compresses with a time budget other than the settings' one: a warm-up after an
    /// overrun uses a longer one, so the work lands in the memo for the next request.
    package func compress(_ request: FrontRequest, mode: CompressionMode, timeBudgetMilliseconds: Int) -> CompressionOutcome {
        compress(request, mode: mode, timeBudgetMilliseconds: timeBudgetMilliseconds, at: ContinuousClock.now)
    }

    /// Compresses with the budget counted from `budgetStart` rather than from now: the
    /// time a request waited for a thread to compress it on is part of its budget.
    package func compress(
        _ request: FrontRequest, mode: CompressionMode, timeBudgetMilliseconds: Int, budgetStart: ContinuousClock.Instant
    ) -> CompressionOutcome {
        compress(request, mode: mode, timeBudgetMilliseconds: timeBudgetMilliseconds, at: ContinuousClock.now, budgetStart: budgetStart)
    }

    /// What compressing `request` would forward now, with no effect on any conversation's
    /// state: the ledger, the recent requests and the index snapshots are left as they
    /// were (the memo, a cache of the same deterministic results, may fill).
    package func preview(_ request: FrontRequest, mode: CompressionMode) -> CompressionOutcome {
        compress(request, mode: mode, timeBudgetMilliseconds: settings.timeBudgetMilliseconds, at: ContinuousClock.now, recording: false)
    }

    /// The bytes of message text in `request` that the latest request of its conversation
    /// did not have: about what compressing it works on (all of a cold request, the new
    /// turn of a warm one). Costs a comparison of the known messages, no counting.
    package func unseenTextBytes(_ request: FrontRequest) -> Int {
        let bytes = request.conversation.messages.map { message in
            message.textBlocks.reduce(0) { $0 + $1.text.utf8.count }
        }
        guard let counting = try? counterFor(request.model) else { return bytes.reduce(0, +) }
        let known = recentRequests.known(request, counter: counting.name).tokens.count
        return bytes[known...].reduce(0, +)
    }

    /// Compresses as if forwarded at `now`, which decides whether the provider can still
    /// hold an earlier request's prefix in its cache (tests move it forward).
    func compress(
        _ request: FrontRequest, mode: CompressionMode, timeBudgetMilliseconds: Int, at now: ContinuousClock.Instant,
        budgetStart: ContinuousClock.Instant? = nil, recording: Bool = true
    ) -> CompressionOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let counting: RequestTokenCounter
        do {
            counting = try counterFor(request.model)
        } catch {
            return CompressionOutcome(
                body: request.body, changed: false, tokensIn: 0, tokensOut: 0,
                failOpenReason: "no token counter for model \(request.model): \(error)", elapsed: clock.now - start)
        }
        // Each message counted once, for tokens in and for the summary boundary; the ones
        // the conversation's previous request had are known already.
        let known = recentRequests.known(request, counter: counting.name)
        let messageTokens =
            (known.tokens.isEmpty ? countMessagesOnAllCores(request, counting) : nil)
            ?? Array(known.tokens) + request.messageValues[known.tokens.count...].map { counting.message($0, of: request.profile) }
        let tokensIn = messageTokens.reduce(counting.overhead(of: request), +)
        func original(_ reason: String?) -> CompressionOutcome {
            CompressionOutcome(
                body: request.body, changed: false, tokensIn: tokensIn, tokensOut: tokensIn,
                failOpenReason: reason, elapsed: clock.now - start)
        }
        guard mode != .off else { return original(nil) }
        guard tokensIn >= settings.minimumTokens else {
            if recording {
                recordUncompressed(
                    request, knownHashes: known.hashes, messageTokens: messageTokens, mode: mode, counting: counting, at: now)
            }
            return original(nil)
        }
        let deadline = (budgetStart ?? start).advanced(by: .milliseconds(timeBudgetMilliseconds))
        var conversation = request.conversation
        let results: [MessageResult]
        do throws(PipelineError) {
            results = try process(
                request, messageTokens: messageTokens, knownHashes: known.hashes, mode: mode, counting: counting, deadline: deadline,
                clock: clock,
                now: now, recording: recording)
        } catch {
            switch error {
            case .overBudget:
                // The throw sites know only the settings' budget; a warm-up runs on a longer one.
                return original(PipelineError.overBudget(timeBudgetMilliseconds).description)
            }
        }
        var changed = false
        var totals: [String: (before: Int, after: Int)] = [:]
        for (index, result) in results.enumerated() {
            for saving in result.savings {
                totals[saving.stage, default: (0, 0)].before += saving.tokensBefore
                totals[saving.stage, default: (0, 0)].after += saving.tokensAfter
            }
            var next = 0
            for (position, part) in conversation.messages[index].parts.enumerated() {
                guard case .text(var block) = part else { continue }
                if let output = result.outputs[next] {
                    block.text = output
                    conversation.messages[index].parts[position] = .text(block)
                    changed = true
                }
                next += 1
            }
        }
        guard changed else { return original(nil) }
        let compressed = request.body(applying: conversation)
        let problems = RequestInvariants.violations(
            original: request, rewritten: conversation, forwarded: compressed, systemVerbatim: settings.keepSystemPromptVerbatim)
        if let problem = problems.first { return original("invariant broken: \(problem)") }
        if clock.now > deadline { return original(PipelineError.overBudget(timeBudgetMilliseconds).description) }
        let stages = stageNames.compactMap { name in
            totals[name].map { StageSavings(stage: name, tokensBefore: $0.before, tokensAfter: $0.after) }
        }
        // Request counts add up the counts of each content text, so the request after
        // compression is exactly the request before less what the stages removed (a
        // test holds the two equal); counting it again would cost a tokenizer pass.
        let saved = stages.reduce(0) { $0 + $1.tokensSaved }
        return CompressionOutcome(
            body: compressed, changed: true, tokensIn: tokensIn, tokensOut: tokensIn - saved,
            stages: stages, elapsed: clock.now - start)
    }

    /// Whether an outcome failed open because it ran out of time (and so would do
    /// better with a warm memo).
    package static func ranOutOfTime(_ outcome: CompressionOutcome) -> Bool {
        outcome.failOpenReason?.hasPrefix("time budget") == true
    }

    /// Why compression gave up.
    enum PipelineError: Error, CustomStringConvertible {
        case overBudget(Int)

        var description: String {
            switch self {
            case .overBudget(let milliseconds): return "time budget of \(milliseconds) ms exceeded"
            }
        }
    }
}
