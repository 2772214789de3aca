import Testing
@testable import CondenserCore

@Suite struct SummaryBoundaryTests {
    let roles: [BlockRole?] = [.system, .user, .assistant, .toolResult, .assistant, .toolResult, .assistant, .toolResult, .assistant, .user]

    @Test func noBoundaryWithoutEnoughTurnsAfterACandidate() {
        let tokens = [100, 50, 10, 3000, 10, 3000, 10, 3000, 10, 20]
        #expect(SummaryBoundary.active(messageTokens: tokens, roles: roles, step: 100_000, recentTurns: 2) == 0)
        #expect(SummaryBoundary.active(messageTokens: tokens, roles: roles, step: 1000, recentTurns: 10) == 0)
    }

    @Test func boundaryIsTheFurthestCandidateLeavingTheWindow() {
        let tokens = [100, 50, 10, 3000, 10, 3000, 10, 3000, 10, 20]
        // Cumulative tokens cross multiples of 1000 in messages 3 and 5, so the candidates
        // are the next turn starts: messages 4 (4 turns after it) and 6 (3 turns).
        #expect(SummaryBoundary.active(messageTokens: tokens, roles: roles, step: 1000, recentTurns: 3) == 6)
        #expect(SummaryBoundary.active(messageTokens: tokens, roles: roles, step: 1000, recentTurns: 4) == 4)
        #expect(SummaryBoundary.active(messageTokens: tokens, roles: roles, step: 1000, recentTurns: 5) == 0)
    }

    @Test func boundaryOnlyMovesForwardAsTheConversationGrows() {
        var tokens: [Int] = [500]
        var roles: [BlockRole?] = [.system]
        var last = 0
        for turn in 0..<60 {
            tokens += [20, 700 + (turn * 37) % 500]
            roles += [.assistant, .toolResult]
            let boundary = SummaryBoundary.active(messageTokens: tokens, roles: roles, step: 4000, recentTurns: 6)
            #expect(boundary >= last)
            last = boundary
        }
        #expect(last > 0)
    }
}
