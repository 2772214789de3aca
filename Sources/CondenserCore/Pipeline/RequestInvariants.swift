/// The promises a compressed request keeps to the original, checked after compression
/// (a broken one fails open) and by the corpus bench.
package enum RequestInvariants {
    /// Every way a compressed body breaks a promise to its request: the front invariant
    /// (only text-block strings changed, none emptied), and the conversation's rules: the
    /// last user message as it came, system blocks too when `systemVerbatim`. `rewritten`
    /// is the request's conversation with the texts the body now holds.
    static func violations(original: FrontRequest, rewritten: Conversation, forwarded: JSONValue, systemVerbatim: Bool) -> [String] {
        var problems = original.maskedViolations(forwarded: forwarded)
        let before = original.conversation.messages
        guard before.count == rewritten.messages.count else {
            return problems + ["message count changed from \(before.count) to \(rewritten.messages.count)"]
        }
        let lastUser = before.lastIndex { $0.role == .user }
        for (index, (old, new)) in zip(before, rewritten.messages).enumerated() where old != new {
            if index == lastUser { problems.append("message \(index): last user message changed") }
            if systemVerbatim, old.role == .system { problems.append("message \(index): system message changed") }
        }
        return problems
    }

    /// Every way `compressed` breaks a promise to `original`, as short sentences;
    /// empty when it keeps them all.
    package static func violations(original: ChatRequest, compressed: ChatRequest, systemVerbatim: Bool) -> [String] {
        var problems: [String] = []
        guard original.messages.count == compressed.messages.count else {
            return ["message count changed from \(original.messages.count) to \(compressed.messages.count)"]
        }
        let lastUser = original.messages.lastIndex { $0.role == "user" }
        for (index, (before, after)) in zip(original.messages, compressed.messages).enumerated() {
            if before.role != after.role { problems.append("message \(index): role changed") }
            if before.object["tool_calls"] != after.object["tool_calls"] { problems.append("message \(index): tool_calls changed") }
            if before.object["tool_call_id"] != after.object["tool_call_id"] { problems.append("message \(index): tool_call_id changed") }
            if before.object.keys != after.object.keys { problems.append("message \(index): fields changed") }
            for member in before.object.members where member.key != "content" && after.object[member.key] != member.value {
                problems.append("message \(index): field \(member.key) changed")
            }
            if index == lastUser, before != after { problems.append("message \(index): last user message changed") }
            if systemVerbatim, before.role == "system" || before.role == "developer", before != after {
                problems.append("message \(index): system message changed")
            }
            if isEmpty(after.content), !isEmpty(before.content) { problems.append("message \(index): became empty") }
            if case .parts(let a) = before.content, case .parts(let b) = after.content {
                if a.count != b.count { problems.append("message \(index): content parts added or removed") }
                for (x, y) in zip(a, b) where x.objectValue?["type"]?.stringValue != "text" && x != y {
                    problems.append("message \(index): a non-text part changed")
                }
            }
        }
        if original.body.members.filter({ $0.key != "messages" }) != compressed.body.members.filter({ $0.key != "messages" }) {
            problems.append("request fields other than messages changed")
        }
        return problems
    }

    /// Tool-call pairing problems of one request: a result without an open call, calls
    /// left without results.
    package static func pairingProblems(_ request: ChatRequest) -> [String] {
        var problems: [String] = []
        var pendingCalls: Set<String> = []
        for (index, message) in request.messages.enumerated() {
            if let calls = message.toolCalls {
                if !pendingCalls.isEmpty { problems.append("message \(index): tool calls before earlier calls were answered") }
                pendingCalls = Set(calls.compactMap { $0.objectValue?["id"]?.stringValue })
            } else if message.role == "tool" {
                if message.toolCallID.map({ pendingCalls.remove($0) != nil }) != true {
                    problems.append("message \(index): tool result without a matching call")
                }
            } else if !pendingCalls.isEmpty {
                problems.append("message \(index): tool calls left without results")
                pendingCalls = []
            }
        }
        if !pendingCalls.isEmpty { problems.append("the last tool calls have no results") }
        return problems
    }

    static func isEmpty(_ content: ChatContent) -> Bool {
        switch content {
        case .absent, .null: return true
        case .text(let text): return text.isEmpty
        case .parts(let parts): return parts.isEmpty
        }
    }
}
