import Testing

@testable import CondenserCore

@Suite struct RecentRequestsTests {
    static let messages: [ChatMessage] = [
        ChatMessage(role: "system", content: "You are terse."),
        ChatMessage(role: "user", content: "List the files."),
        ChatMessage(object: [
            "role": .string("assistant"), "content": .null,
            "tool_calls": .array([
                .object(["id": .string("call_1"), "function": .object(["name": .string("ls"), "arguments": .string("{}")])])
            ]),
        ]),
        ChatMessage(object: ["role": .string("tool"), "tool_call_id": .string("call_1"), "content": .string("a.txt\nb.txt")]),
    ]

    static func request(_ messages: [ChatMessage]) -> FrontRequest {
        OpenAIChatFront.request(ChatRequest(body: ["model": .string("gpt-4o")], messages: messages))
    }

    static func store(_ recent: RecentRequests, _ messages: [ChatMessage]) {
        recent.store(
            request(messages), tokens: messages.indices.map { 10 + $0 },
            hashes: messages.indices.map { StableHash(high: 0, low: UInt64($0)) },
            counter: "o200k_base")
    }

    @Test func knowsTheLongestPrefixTheLatestRequestHad() {
        let recent = RecentRequests(maximumEntries: 4)
        Self.store(recent, Array(Self.messages.prefix(3)))
        let grown = Self.messages + [ChatMessage(role: "assistant", content: "Two files.")]
        let known = recent.known(Self.request(grown), counter: "o200k_base")
        #expect(Array(known.tokens) == [10, 11, 12])
        #expect(Array(known.hashes) == (0..<3).map { StableHash(high: 0, low: UInt64($0)) })
        // Counts are per encoding.
        #expect(recent.known(Self.request(grown), counter: "cl100k_base").tokens.isEmpty)
    }

    @Test func stopsAtTheFirstMessageThatIsNotTheSameBytes() {
        let recent = RecentRequests(maximumEntries: 4)
        Self.store(recent, Self.messages)
        var edited = Self.messages
        edited[2].object["tool_calls"] = .array([])
        #expect(recent.known(Self.request(edited), counter: "o200k_base").tokens.count == 2)
        // Member order is part of the bytes.
        var reordered = Self.messages
        reordered[3] = ChatMessage(object: ["tool_call_id": .string("call_1"), "role": .string("tool"), "content": .string("a.txt\nb.txt")])
        #expect(recent.known(Self.request(reordered), counter: "o200k_base").tokens.count == 3)
    }

    @Test func unicodeEquivalentTextsAreNotTheSame() {
        // "é" as one scalar and as "e" plus a combining accent: equal as Swift strings,
        // different bytes, different token counts.
        let composed = ChatMessage(role: "tool", content: "caf\u{E9}")
        let decomposed = ChatMessage(role: "tool", content: "cafe\u{301}")
        #expect(composed == decomposed)
        #expect(!RecentRequests.identical(.object(composed.object), .object(decomposed.object)))
        let recent = RecentRequests(maximumEntries: 4)
        Self.store(recent, Array(Self.messages.prefix(2)) + [composed])
        #expect(recent.known(Self.request(Array(Self.messages.prefix(2)) + [decomposed]), counter: "o200k_base").tokens.count == 2)
    }

    @Test func keepsAtMostItsCapacity() {
        let recent = RecentRequests(maximumEntries: 3)
        for index in 0..<10 {
            Self.store(recent, [ChatMessage(role: "system", content: "conversation \(index)")])
            #expect(recent.count <= 3)
        }
        #expect(recent.known(Self.request([ChatMessage(role: "system", content: "conversation 0")]), counter: "o200k_base").tokens.isEmpty)
        #expect(
            recent.known(Self.request([ChatMessage(role: "system", content: "conversation 9")]), counter: "o200k_base").tokens.count == 1)
    }
}
