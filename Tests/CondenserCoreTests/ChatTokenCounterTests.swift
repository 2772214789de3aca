import Testing

@testable import CondenserCore

@Suite struct ChatTokenCounterTests {
    /// The OpenAI cookbook's example conversation; the cookbook reports the same numbers
    /// from the API's `prompt_tokens`: 124 for gpt-4o (o200k_base), 129 for gpt-4 (cl100k_base).
    static let cookbookMessages: [ChatMessage] = [
        ChatMessage(
            role: "system", content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
        ChatMessage(object: [
            "role": .string("system"), "name": .string("example_user"),
            "content": .string("New synergies will help drive top-line growth."),
        ]),
        ChatMessage(object: [
            "role": .string("system"), "name": .string("example_assistant"),
            "content": .string("Things working well together will increase revenue."),
        ]),
        ChatMessage(object: [
            "role": .string("system"), "name": .string("example_user"),
            "content": .string("Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."),
        ]),
        ChatMessage(object: [
            "role": .string("system"), "name": .string("example_assistant"),
            "content": .string("Let's talk later when we're less busy about how to do better."),
        ]),
        ChatMessage(role: "user", content: "This late pivot means we don't have time to boil the ocean for the client deliverable."),
    ]

    @Test(arguments: [(TokenEncoding.o200kBase, 124), (.cl100kBase, 129)])
    func matchesOpenAIsCountForAPlainChat(encoding: TokenEncoding, expected: Int) throws {
        let counter = ChatTokenCounter(tokenizer: try Tokenizer.shared(encoding))
        let request = ChatRequest(body: ["model": .string("gpt-4o")], messages: Self.cookbookMessages)
        #expect(counter.count(request) == expected)
    }

    @Test func countsTextPartsToolCallsAndToolDefinitions() throws {
        let tokenizer = try Tokenizer.shared(.o200kBase)
        let counter = ChatTokenCounter(tokenizer: tokenizer)
        let parts = ChatMessage(object: [
            "role": .string("user"),
            "content": .array([
                .object(["type": .string("text"), "text": .string("Describe this")]),
                .object(["type": .string("image_url"), "image_url": .object(["url": .string("https://example.com/cat.png")])]),
                .object(["type": .string("text"), "text": .string("briefly.")]),
            ]),
        ])
        #expect(counter.count(parts) == 3 + tokenizer.count("user") + tokenizer.count("Describe this") + tokenizer.count("briefly."))

        let arguments = #"{"location": "Paris"}"#
        let call = ChatMessage(object: [
            "role": .string("assistant"), "content": .null,
            "tool_calls": .array([
                .object([
                    "id": .string("call_1"), "type": .string("function"),
                    "function": .object(["name": .string("get_weather"), "arguments": .string(arguments)]),
                ])
            ]),
        ])
        #expect(counter.count(call) == 3 + tokenizer.count("assistant") + 3 + tokenizer.count("get_weather") + tokenizer.count(arguments))

        let tool: JSONValue = .object([
            "type": .string("function"),
            "function": .object([
                "name": .string("get_weather"), "description": .string("Get the current weather."),
                "parameters": .object([
                    "type": .string("object"),
                    "properties": .object([
                        "location": .object(["type": .string("string"), "description": .string("The city.")]),
                        "unit": .object(["type": .string("string"), "enum": .array([.string("celsius"), .string("fahrenheit")])]),
                    ]),
                ]),
            ]),
        ])
        let hi = ChatMessage(role: "user", content: "Hi")
        let plain = ChatRequest(body: ["model": .string("gpt-4o")], messages: [hi])
        let withTools = ChatRequest(body: ["model": .string("gpt-4o"), "tools": .array([tool])], messages: [hi])
        // 7 + "get_weather:Get the current weather" (6) + 3 + location (3 + "location:string:The city" 4)
        // + unit (3 - 3 + 3 + "celsius" 2 + 3 + "fahrenheit" 2 + "unit:string:" 3) + 12.
        #expect(counter.count(withTools) - counter.count(plain) == 48)
        #expect(counter.count(plain) == 3 + tokenizer.count("user") + tokenizer.count("Hi") + 3)
    }

    @Test func countsEachDistinctMessageOnce() throws {
        let counter = ChatTokenCounter(tokenizer: try Tokenizer.shared(.o200kBase))
        let request = ChatRequest(body: ["model": .string("gpt-4o")], messages: Self.cookbookMessages)
        let first = counter.count(request)
        #expect(counter.cachedEntries == Self.cookbookMessages.count)
        // A grown conversation resends the same turns: only the new one is counted.
        let grown = ChatRequest(
            body: ["model": .string("gpt-4o")], messages: Self.cookbookMessages + [ChatMessage(role: "assistant", content: "Noted.")])
        #expect(counter.count(grown) > first)
        #expect(counter.cachedEntries == Self.cookbookMessages.count + 1)
        #expect(counter.count(request) == first)
    }

    @Test func cacheKeysSeparateValuesAndMembers() {
        let null = ChatMessage(object: ["role": .string("assistant"), "content": .null])
        let text = ChatMessage(object: ["role": .string("assistant"), "content": .string("null")])
        #expect(ChatTokenCounter.key(of: null) != ChatTokenCounter.key(of: text))
        #expect(ChatTokenCounter.key(of: text) == ChatTokenCounter.key(of: ChatMessage(role: "assistant", content: "null")))
        let split1 = ChatMessage(object: ["role": .string("user"), "a": .string("bc")])
        let split2 = ChatMessage(object: ["role": .string("user"), "ab": .string("c")])
        #expect(ChatTokenCounter.key(of: split1) != ChatTokenCounter.key(of: split2))
    }

    @Test func aRequestCountsItsOverheadPlusEachMessage() throws {
        let tokenizer = try Tokenizer.shared(.o200kBase)
        let counter = ChatTokenCounter(tokenizer: tokenizer)
        let tool: JSONValue = .object([
            "type": .string("function"),
            "function": .object(["name": .string("read_file"), "description": .string("Reads a file.")]),
        ])
        let request = ChatRequest(body: ["model": .string("gpt-4o"), "tools": .array([tool])], messages: Self.cookbookMessages)
        #expect(counter.overhead(request) == 3 + 7 + tokenizer.count("read_file:Reads a file") + 12)
        #expect(counter.count(request) == Self.cookbookMessages.reduce(counter.overhead(request)) { $0 + counter.count($1) })
    }

    @Test func aGrownRequestCountsAsAFreshCounterCountsIt() throws {
        let tokenizer = try Tokenizer.shared(.o200kBase)
        let counter = ChatTokenCounter(tokenizer: tokenizer)
        var messages = Self.cookbookMessages
        for round in 0..<6 {
            messages.append(
                ChatMessage(object: [
                    "role": .string("assistant"), "content": .null,
                    "tool_calls": .array([
                        .object([
                            "id": .string("call_\(round)"), "type": .string("function"),
                            "function": .object(["name": .string("run"), "arguments": .string(#"{"step": \#(round)}"#)]),
                        ])
                    ]),
                ]))
            messages.append(
                ChatMessage(object: [
                    "role": .string("tool"), "tool_call_id": .string("call_\(round)"), "content": .string("step \(round) done"),
                ]))
            let request = ChatRequest(body: ["model": .string("gpt-4o")], messages: messages)
            #expect(counter.count(request) == ChatTokenCounter(tokenizer: tokenizer).count(request))
        }
    }

    @Test func structuralKeysSeparateWhatSerialisingWould() {
        func key(_ value: JSONValue) -> StableHash { ChatTokenCounter.key(of: value) }
        #expect(key(.number("1")) != key(.string("1")))
        #expect(key(.bool(true)) != key(.string("true")))
        #expect(key(.null) != key(.string("null")))
        #expect(key(.array([.array([.string("a")]), .array([.string("b")])])) != key(.array([.array([.string("a"), .string("b")])])))
        #expect(key(.array([.string("ab")])) != key(.array([.string("a"), .string("b")])))
        #expect(key(.object(["a": .object(["b": .string("c")])])) != key(.object(["a": .object([:]), "b": .string("c")])))
        #expect(key(.array([])) != key(.object([:])))
        // Calls that differ only in their arguments are different messages.
        func call(_ arguments: String) -> ChatMessage {
            ChatMessage(object: [
                "role": .string("assistant"),
                "tool_calls": .array([.object(["function": .object(["name": .string("run"), "arguments": .string(arguments)])])]),
            ])
        }
        #expect(ChatTokenCounter.key(of: call("{}")) != ChatTokenCounter.key(of: call("{ }")))
        #expect(ChatTokenCounter.key(of: call("{}")) == ChatTokenCounter.key(of: call("{}")))
    }

    @Test func cacheStaysWithinItsCapacity() throws {
        let counter = ChatTokenCounter(tokenizer: try Tokenizer.shared(.o200kBase), cacheCapacity: 10)
        for index in 0..<100 {
            let message = ChatMessage(role: "user", content: "message number \(index)")
            #expect(counter.count(message) == counter.count(message))
            #expect(counter.cachedEntries <= 10)
        }
    }
}
