/// Where old-turn summaries end: the one prefix change the pipeline plans.
///
/// Summaries rewrite earlier messages, and a rewritten prefix is billed at full price
/// once: the provider's cache misses from the first changed message on. So the boundary
/// must not creep forward with every request, and must move only when that pays. It is
/// computed from the request alone, deterministically:
///
/// - Candidate boundaries sit at the first turn start (a user or assistant message)
///   after the conversation's cumulative tokens cross each multiple of `step`. A
///   candidate depends only on the messages before it, so it never moves.
/// - A candidate c becomes eligible once `recentTurns` turns follow it, at message e(c).
///   Whether the boundary moves from b to c is decided from messages up to e(c) only,
///   so the decision never changes as the conversation grows, and the boundary only
///   moves forward.
/// - It moves when the re-cut pays for itself. Moving from b to c saves about
///   `summarySavedFraction` of the compressible tokens in [b, c) on the request of the
///   re-cut (written to the cache, at the write multiplier) and on each later one (read
///   from it, at the read multiplier). It costs writing [b, e(c)] once instead of reading
///   it. Prices are the front's (`CachePricing`). The number of later requests is
///   unknown; the estimate is as many as came before (each assistant turn is one).
///   The move happens when savings reach `requiredPayoff` times the cost.
///
/// When the boundary moves from b1 to b2, messages before b1 keep their bytes (their
/// summaries depend only on themselves and earlier messages).
enum SummaryBoundary {
    /// The fraction of a summarised region's compressible tokens a summary removes, for
    /// the payoff estimate (about what the summarizer removes from old tool output).
    static let summarySavedFraction = 0.5

    /// The index of the first message after the summarised region; 0 when there is none.
    ///
    /// - Parameters:
    ///   - compressible: which messages a summary may shrink (assistant and tool turns).
    ///   - requiredPayoff: 0 moves to every eligible candidate; 1 only when the estimated
    ///     savings cover the re-billing.
    ///   - start: where the boundary already is (from the `CutLedger`); only candidates
    ///     after it are weighed.
    ///   - pricing: the provider's cache prices, which the payoff weighs.
    static func active(
        messageTokens: [Int], roles: [BlockRole?], compressible: [Bool], step: Int, recentTurns: Int,
        requiredPayoff: Double, from start: Int = 0, pricing: CachePricing = .openAI
    ) -> Int {
        precondition(messageTokens.count == roles.count && roles.count == compressible.count)
        let count = roles.count
        guard step > 0, count > 1, recentTurns > 0 else { return 0 }
        let turnStarts = roles.indices.filter { isTurnStart(roles[$0]) }
        // Prefix sums: all tokens, compressible tokens, assistant turns.
        var tokens = [0]
        var shrinkable = [0]
        var responses = [0]
        for index in 0..<count {
            tokens.append(tokens[index] + messageTokens[index])
            shrinkable.append(shrinkable[index] + (compressible[index] ? messageTokens[index] : 0))
            responses.append(responses[index] + (roles[index] == .assistant ? 1 : 0))
        }
        var boundary = min(max(0, start), count)
        var crossed = 0
        var pending = false
        var turnOrdinal = 0
        for index in 0..<count {
            if isTurnStart(roles[index]) {
                // Crossings before the recorded boundary were weighed when it was set.
                if pending, index <= boundary {
                    pending = false
                } else if pending {
                    pending = false
                    // e(c): the turn start that makes `recentTurns` turns from c on.
                    let eligibleOrdinal = turnOrdinal + recentTurns - 1
                    guard eligibleOrdinal < turnStarts.count else { break }
                    let eligible = turnStarts[eligibleOrdinal]
                    let region = Double(shrinkable[index] - shrinkable[boundary]) * summarySavedFraction
                    let rebilled = Double(tokens[eligible + 1] - tokens[boundary])
                    let later = Double(responses[eligible + 1])
                    let (write, read) = (pricing.writeMultiplier, pricing.readMultiplier)
                    if region * (write + read * later) >= requiredPayoff * (write - read) * rebilled { boundary = index }
                }
                turnOrdinal += 1
            }
            if tokens[index + 1] / step > crossed {
                crossed = tokens[index + 1] / step
                pending = true
            }
        }
        return boundary
    }

    /// The deepest boundary the recency window allows: the start of the turn that leaves
    /// `recentTurns` turns from it on; 0 when there are no more turns than that. For a
    /// re-cut that costs nothing, when the provider can't have the prefix cached.
    static func deepest(roles: [BlockRole?], recentTurns: Int) -> Int {
        let turnStarts = roles.indices.filter { isTurnStart(roles[$0]) }
        guard recentTurns > 0, turnStarts.count > recentTurns else { return 0 }
        return turnStarts[turnStarts.count - recentTurns]
    }

    static func isTurnStart(_ role: BlockRole?) -> Bool {
        role == .user || role == .assistant
    }
}
