/// Counts tokens in one encoding at every grain the pipeline needs: a block's text (for
/// per-stage savings, and to keep only changes that save), one message, and a whole
/// request (tokens in and out).
package struct RequestTokenCounter: Sendable {
    /// The encoding's name; part of memo keys, since counts decide what a stage keeps.
    var name: String
    var text: any TokenCounter
    /// The tokens of a request besides its messages (reply priming, tool definitions), for
    /// a front whose counts are exact.
    var overhead: @Sendable (FrontRequest) -> Int
    /// Counts one message value as billed, read as an OpenAI chat message, for a front
    /// whose counts are exact. A request counts its overhead plus each message, so the
    /// pipeline counts each message once and the summary boundary reuses the counts.
    var message: @Sendable (JSONValue) -> Int

    package init(
        name: String, text: any TokenCounter, overhead: @escaping @Sendable (FrontRequest) -> Int,
        message: @escaping @Sendable (JSONValue) -> Int
    ) {
        self.name = name
        self.text = text
        self.overhead = overhead
        self.message = message
    }

    /// The tokens of one message of a request of `profile`: `message` for an exact front;
    /// for an estimated one, every string the message holds plus a message's framing
    /// (its wire format's rendering is unknown, and the texts are most of it).
    package func message(_ value: JSONValue, of profile: FrontProfile) -> Int {
        switch profile.tokenCount {
        case .exact: return message(value)
        case .estimated: return Self.framingTokens + stringTokens(value)
        }
    }

    /// The tokens of a request besides its messages: `overhead` for an exact front; for
    /// an estimated one, the strings of every top-level member but the messages'.
    func overhead(of request: FrontRequest) -> Int {
        switch request.profile.tokenCount {
        case .exact:
            return overhead(request)
        case .estimated:
            guard case .object(let body) = request.body else { return Self.framingTokens }
            return body.members.reduce(Self.framingTokens) { total, member in
                Self.messageMembers.contains(member.key) ? total : total + stringTokens(member.value)
            }
        }
    }

    /// The members that hold a request's conversation in the fronts' bodies (Anthropic's
    /// `system` is its first conversation message).
    static let messageMembers: Set<String> = ["messages", "input", "system"]
    /// What a message's (or reply's) framing costs, as in OpenAI's chat formula.
    static let framingTokens = 3

    /// The tokens of every string in `value`, keys aside.
    func stringTokens(_ value: JSONValue) -> Int {
        switch value {
        case .string(let string): return string.isEmpty ? 0 : text.count(string)
        case .array(let elements): return elements.reduce(0) { $0 + stringTokens($1) }
        case .object(let object): return object.members.reduce(0) { $0 + stringTokens($1.value) }
        case .null, .bool, .number: return 0
        }
    }
}
