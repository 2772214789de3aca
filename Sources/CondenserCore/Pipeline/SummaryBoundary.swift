/// Where old-turn summaries end: the one prefix change the pipeline plans.
///
/// Summaries rewrite earlier messages, and every rewrite of the prefix is re-billed at
/// full price once (the provider's cache misses from the first changed message on). So
/// the boundary must not creep forward with every request. It is computed from the
/// request alone, deterministically:
///
/// - Candidate boundaries sit at the first turn start (a user or assistant message)
///   after the conversation's cumulative tokens cross each multiple of `step`. A
///   candidate depends only on the messages before it, so it never moves as the
///   conversation grows.
/// - The active boundary is the furthest candidate that leaves at least `recentTurns`
///   turns after it. It moves only after about `step` new tokens, and only forward.
///
/// When it moves from b1 to b2, messages before b1 keep their bytes (their summaries
/// depend only on themselves and earlier messages); from b1 on, the request is billed
/// in full once. Whether that pays is a question of step size, measured in replay (see
/// `PipelineSettings.summaryStepTokens`).
public enum SummaryBoundary {
    /// The index of the first message after the summarised region; 0 when there is none.
    public static func active(messageTokens: [Int], roles: [BlockRole?], step: Int, recentTurns: Int) -> Int {
        precondition(messageTokens.count == roles.count)
        let count = roles.count
        guard step > 0, count > 1 else { return 0 }
        // Turns at or after each index, from the end.
        var turnsFrom = [Int](repeating: 0, count: count + 1)
        for index in stride(from: count - 1, through: 0, by: -1) {
            turnsFrom[index] = turnsFrom[index + 1] + (isTurnStart(roles[index]) ? 1 : 0)
        }
        var best = 0
        var cumulative = 0
        var crossed = 0
        var pending = false
        for index in 0..<count {
            if pending, isTurnStart(roles[index]) {
                pending = false
                if turnsFrom[index] >= recentTurns { best = index } else { break }
            }
            cumulative += messageTokens[index]
            if cumulative / step > crossed {
                crossed = cumulative / step
                pending = true
            }
        }
        return best
    }

    static func isTurnStart(_ role: BlockRole?) -> Bool {
        role == .user || role == .assistant
    }
}
