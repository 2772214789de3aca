import Testing

@testable import CondenserCore

@Suite struct RequestInvariantsTests {
    let request = syntheticSession(rounds: 3)

    @Test func anUnchangedRequestKeepsEveryPromise() {
        #expect(RequestInvariants.violations(original: request, compressed: request, systemVerbatim: true).isEmpty)
        #expect(RequestInvariants.pairingProblems(request).isEmpty)
    }

    @Test func catchesChangedRolesCallsLastUserAndEmptyMessages() {
        var broken = request
        broken.messages[2].role = "user"
        broken.messages[3].content = .text("")
        broken.messages[1].content = .text("something else")
        broken.messages[4].object["tool_calls"] = .array([])
        let problems = RequestInvariants.violations(original: request, compressed: broken, systemVerbatim: true)
        #expect(problems.contains("message 2: role changed"))
        #expect(problems.contains("message 3: became empty"))
        #expect(problems.contains("message 4: tool_calls changed"))
        let lastUser = request.messages.lastIndex { $0.role == "user" }!
        var changedUser = request
        changedUser.messages[lastUser].content = .text("other")
        #expect(
            RequestInvariants.violations(original: request, compressed: changedUser, systemVerbatim: true)
                .contains("message \(lastUser): last user message changed"))
    }

    @Test func catchesOrphanResultsAndUnansweredCalls() {
        var orphan = request
        orphan.messages.remove(at: 2)
        #expect(RequestInvariants.pairingProblems(orphan).contains("message 2: tool result without a matching call"))
        var unanswered = request
        unanswered.messages.remove(at: 3)
        #expect(!RequestInvariants.pairingProblems(unanswered).isEmpty)
    }
}
