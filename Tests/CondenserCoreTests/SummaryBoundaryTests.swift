import Testing

@testable import CondenserCore

@Suite struct SummaryBoundaryTests {
    func active(_ tokens: [Int], _ roles: [BlockRole?], step: Int, recentTurns: Int, payoff: Double = 0) -> Int {
        SummaryBoundary.active(
            messageTokens: tokens, roles: roles, compressible: roles.map { $0 == .assistant || $0 == .toolResult },
            step: step, recentTurns: recentTurns, requiredPayoff: payoff)
    }

    let roles: [BlockRole?] = [
        .system, .user, .assistant, .toolResult, .assistant, .toolResult, .assistant, .toolResult, .assistant, .user,
    ]

    @Test func noBoundaryWithoutEnoughTurnsAfterACandidate() {
        let tokens = [100, 50, 10, 3000, 10, 3000, 10, 3000, 10, 20]
        #expect(active(tokens, roles, step: 100_000, recentTurns: 2) == 0)
        #expect(active(tokens, roles, step: 1000, recentTurns: 10) == 0)
    }

    @Test func boundaryIsTheFurthestCandidateLeavingTheWindow() {
        let tokens = [100, 50, 10, 3000, 10, 3000, 10, 3000, 10, 20]
        // Cumulative tokens cross multiples of 1000 in messages 3 and 5, so the candidates
        // are the next turn starts: messages 4 (4 turns after it) and 6 (3 turns).
        #expect(active(tokens, roles, step: 1000, recentTurns: 3) == 6)
        #expect(active(tokens, roles, step: 1000, recentTurns: 4) == 4)
        #expect(active(tokens, roles, step: 1000, recentTurns: 5) == 0)
    }

    @Test func boundaryOnlyMovesForwardAsTheConversationGrows() {
        var tokens: [Int] = [500]
        var roles: [BlockRole?] = [.system]
        var last = 0
        for turn in 0..<60 {
            tokens += [20, 700 + (turn * 37) % 500]
            roles += [.assistant, .toolResult]
            let boundary = active(tokens, roles, step: 4000, recentTurns: 6)
            #expect(boundary >= last)
            last = boundary
        }
        #expect(last > 0)
    }

    @Test func aRecutWaitsUntilItPaysForItself() {
        // Ten rounds of 1000-token tool results: early in the conversation, re-billing
        // the tail costs more than the summaries would save over the requests to come.
        var tokens: [Int] = [500, 50]
        var roles: [BlockRole?] = [.system, .user]
        var boundaries: [Int] = []
        for _ in 0..<40 {
            tokens += [20, 1000]
            roles += [.assistant, .toolResult]
            boundaries.append(active(tokens, roles, step: 3000, recentTurns: 4, payoff: 1))
        }
        let free = active(tokens, roles, step: 3000, recentTurns: 4, payoff: 0)
        #expect(boundaries[5] == 0)
        #expect(boundaries.last! > 0)
        #expect(boundaries.last! <= free)
        #expect(zip(boundaries, boundaries.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func continuingFromARecordedBoundaryWeighsOnlyLaterCandidates() {
        let tokens = [100, 50, 10, 3000, 10, 3000, 10, 3000, 10, 20]
        // From 0 the walk ends at candidate 6; from a boundary at 6 nothing later is eligible.
        #expect(
            SummaryBoundary.active(
                messageTokens: tokens, roles: roles, compressible: roles.map { $0 == .assistant || $0 == .toolResult },
                step: 1000, recentTurns: 3, requiredPayoff: 0, from: 6) == 6)
        // A recorded boundary past every candidate stays where it is: it never moves back.
        #expect(
            SummaryBoundary.active(
                messageTokens: tokens, roles: roles, compressible: roles.map { $0 == .assistant || $0 == .toolResult },
                step: 1000, recentTurns: 2, requiredPayoff: 0, from: 8) == 8)
        // From 2, candidates 4 and 6 are weighed as from 0.
        #expect(
            SummaryBoundary.active(
                messageTokens: tokens, roles: roles, compressible: roles.map { $0 == .assistant || $0 == .toolResult },
                step: 1000, recentTurns: 3, requiredPayoff: 0, from: 2) == 6)
    }

    @Test func deepestLeavesExactlyTheRecencyWindow() {
        // Turn starts (user or assistant): 1, 2, 4, 6, 8, 9.
        #expect(SummaryBoundary.deepest(roles: roles, recentTurns: 1) == 9)
        #expect(SummaryBoundary.deepest(roles: roles, recentTurns: 3) == 6)
        #expect(SummaryBoundary.deepest(roles: roles, recentTurns: 5) == 2)
        #expect(SummaryBoundary.deepest(roles: roles, recentTurns: 6) == 0)
        #expect(SummaryBoundary.deepest(roles: [.system, .user], recentTurns: 1) == 0)
    }

    @Test func theRecutPayoffWeighsTheFrontsCachePrices() {
        // A conversation where a re-cut pays under OpenAI's prices but not under a write
        // premium high enough to outweigh the savings.
        let tokens = [100, 50, 10, 3000, 10, 3000, 10, 3000, 10, 20]
        func boundary(_ pricing: CachePricing) -> Int {
            SummaryBoundary.active(
                messageTokens: tokens, roles: roles, compressible: roles.map { $0 == .assistant || $0 == .toolResult },
                step: 1000, recentTurns: 3, requiredPayoff: 0.5, pricing: pricing)
        }
        let openAI = boundary(.openAI)
        #expect(
            openAI
                == SummaryBoundary.active(
                    messageTokens: tokens, roles: roles, compressible: roles.map { $0 == .assistant || $0 == .toolResult },
                    step: 1000, recentTurns: 3, requiredPayoff: 0.5))
        #expect(openAI == 6)
        // Reads as dear as writes: a re-cut re-bills nothing, so it moves as with payoff 0.
        let flat = CachePricing(readMultiplier: 1, writeMultiplier: 1, ttlSeconds: 300, minimumCacheableTokens: 0)
        #expect(boundary(flat) == active(tokens, roles, step: 1000, recentTurns: 3, payoff: 0))
        // Reads nearly free and writes ten times dearer: re-billing dwarfs what a cut saves.
        let dearWrites = CachePricing(readMultiplier: 0.01, writeMultiplier: 10, ttlSeconds: 300, minimumCacheableTokens: 0)
        #expect(boundary(dearWrites) == 0)
    }
}
