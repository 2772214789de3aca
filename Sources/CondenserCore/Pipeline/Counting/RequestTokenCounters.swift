import Synchronization

/// Hands out the `RequestTokenCounter` of each encoding, made on first use (loading a
/// rank file takes tens of milliseconds, so never per request) and shared after.
package final class RequestTokenCounters: Sendable {
    private let counters = Mutex<[TokenEncoding: RequestTokenCounter]>([:])

    package init() {}

    package func counter(for encoding: TokenEncoding) throws -> RequestTokenCounter {
        if let counter = counters.withLock({ $0[encoding] }) { return counter }
        let tokenizer = try Tokenizer.shared(encoding)
        let chat = ChatTokenCounter(tokenizer: tokenizer)
        let text = CachingTokenCounter(tokenizer)
        let counter = RequestTokenCounter(
            name: encoding.rawValue, text: text,
            // The chat formula reads a message value as an OpenAI message (or a Responses
            // item), and the request's overhead from its tool definitions.
            overhead: { chat.overhead(ChatRequest(body: $0.body.objectValue ?? [:], messages: [])) },
            message: { value in
                // A Responses `instructions` or bare-string `input`: a message of that text.
                if case .string(let content) = value { return ChatTokenCounter.tokensPerMessage + text.count(content) }
                return chat.count(ChatMessage(object: value.objectValue ?? [:]))
            })
        return counters.withLock { counters in
            if let existing = counters[encoding] { return existing }
            counters[encoding] = counter
            return counter
        }
    }
}
