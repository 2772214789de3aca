/// Counts the prompt tokens of an OpenAI chat request, of its messages and of its tool
/// definitions, the way OpenAI bills them.
///
/// Messages follow OpenAI's published formula ("How to count tokens with tiktoken", the
/// OpenAI cookbook), exact for plain chats on current models:
///
///     3 per message + the tokens of every string member (role, content, name, ...)
///     + 1 more when the message has a `name`
///     + 3 for the priming of the reply (`<|start|>assistant<|message|>`)
///
/// The rest is an approximation, since OpenAI doesn't document how it renders it:
/// - content parts: the text of each `text` part counts (and of Responses items'
///   `input_text`, `output_text` and `summary_text` parts); images, audio and files are
///   skipped, as their cost depends on resolution and duration, not on text;
/// - `tool_calls` of an assistant message: per call, the tokens of the function's name and
///   of its `arguments` string, plus 3 for the call's framing;
/// - tool definitions (`tools`, or the legacy `functions`): the cookbook's
///   "counting tokens for chat completions with tools" formula: per function 7 (10 for
///   cl100k_base) + the tokens of `name:description` (without a final period); when it
///   has properties, 3 + per property 3 + the tokens of `key:type:description` and, for
///   an enum, -3 + per value 3 + its tokens; 12 at the end of all functions.
///
/// Conversations resend the same turns on every request, so message counts (and tool
/// definition counts) are cached by a hash of their JSON values; the cache is bounded and
/// shared by copies of the counter.
package struct ChatTokenCounter: Sendable {
    let tokenizer: Tokenizer
    private let cache: TokenCountCache

    static let tokensPerMessage = 3
    static let tokensPerName = 1
    static let replyPriming = 3
    static let tokensPerToolCall = 3

    /// - Parameter cacheCapacity: the most message counts kept in memory.
    package init(tokenizer: Tokenizer, cacheCapacity: Int = 50_000) {
        self.tokenizer = tokenizer
        cache = TokenCountCache(capacity: cacheCapacity)
    }

    /// The prompt tokens of a whole request: its messages, the reply priming and its tools.
    package func count(_ request: ChatRequest) -> Int {
        request.messages.reduce(overhead(request)) { $0 + count($1) }
    }

    /// The tokens of a request besides its messages: the reply priming and the tool
    /// definitions. A request counts this plus the count of each of its messages.
    func overhead(_ request: ChatRequest) -> Int {
        var total = Self.replyPriming
        for key in ["tools", "functions"] {
            if let definitions = request.body[key]?.arrayValue, !definitions.isEmpty {
                total += cached(Self.key(of: .array(definitions))) { toolDefinitionTokens(definitions) }
            }
        }
        return total
    }

    /// The tokens of one message, its per-message overhead included.
    package func count(_ message: ChatMessage) -> Int {
        cached(Self.key(of: message)) { uncachedCount(message) }
    }

    /// The number of counts held in the cache.
    var cachedEntries: Int { cache.entryCount }

    private func cached(_ key: StableHash, _ compute: () -> Int) -> Int {
        if let count = cache.count(for: key) { return count }
        let count = compute()
        cache.store(count, for: key)
        return count
    }

    /// A message's cache key: its JSON object's.
    static func key(of message: ChatMessage) -> StableHash {
        key(of: .object(message.object))
    }

    /// Any value's key, from its structure: strings are hashed in place, which is most of
    /// a request's bytes, rather than serialising the value first. Each kind of value has
    /// a tag of its own, so the string `"null"` and the JSON `null` differ; strings carry
    /// their lengths and arrays and objects their counts, so a member can't pass for part
    /// of its neighbour.
    static func key(of value: JSONValue) -> StableHash {
        var builder = StableHash.Builder()
        add(value, to: &builder)
        return builder.finalize()
    }

    private static func add(_ value: JSONValue, to builder: inout StableHash.Builder) {
        switch value {
        case .null:
            builder.add(Tag.null)
        case .bool(let flag):
            builder.add(flag ? Tag.true : Tag.false)
        case .number(let text):
            builder.add(Tag.number)
            builder.add(text)
        case .string(let text):
            builder.add(Tag.string)
            builder.add(text)
        case .array(let elements):
            builder.add(Tag.array)
            builder.add(UInt64(elements.count))
            for element in elements { add(element, to: &builder) }
        case .object(let object):
            builder.add(Tag.object)
            builder.add(UInt64(object.members.count))
            for member in object.members {
                builder.add(member.key)
                add(member.value, to: &builder)
            }
        }
    }

    private enum Tag {
        static let null: UInt64 = 1
        static let `true`: UInt64 = 2
        static let `false`: UInt64 = 3
        static let number: UInt64 = 4
        static let string: UInt64 = 5
        static let array: UInt64 = 6
        static let object: UInt64 = 7
    }

    private func uncachedCount(_ message: ChatMessage) -> Int {
        var total = Self.tokensPerMessage
        for member in message.object.members {
            switch member.value {
            case .string where member.key == "encrypted_content":
                // A Responses reasoning item's ciphertext is billed as the reasoning it
                // stands for, which the request doesn't show, not as its own characters.
                continue
            case .string(let text):
                total += tokenizer.count(text)
                if member.key == "name" { total += Self.tokensPerName }
            case .array(let parts) where Self.partLists.contains(member.key):
                for part in parts {
                    guard let object = part.objectValue, let type = object["type"]?.stringValue, Self.textPartTypes.contains(type),
                        let text = object["text"]?.stringValue
                    else { continue }
                    total += tokenizer.count(text)
                }
            case .array(let calls) where member.key == "tool_calls":
                for call in calls {
                    guard let function = call.objectValue?["function"]?.objectValue else { continue }
                    total += Self.tokensPerToolCall
                    total += tokenizer.count(function["name"]?.stringValue ?? "")
                    total += tokenizer.count(function["arguments"]?.stringValue ?? "")
                }
            default:
                continue
            }
        }
        return total
    }

    /// The members that hold content parts: a chat message's `content`; a Responses
    /// item's `content`, tool `output` and reasoning `summary`.
    static let partLists: Set<String> = ["content", "output", "summary"]
    /// The parts whose `text` counts: chat's, and the Responses API's.
    static let textPartTypes: Set<String> = ["text", "input_text", "output_text", "summary_text"]

    private func toolDefinitionTokens(_ definitions: [JSONValue]) -> Int {
        let functionStart = tokenizer.encoding == .cl100kBase ? 10 : 7
        let propertiesStart = 3
        let propertyKey = 3
        let enumStart = -3
        let enumItem = 3
        let functionsEnd = 12
        var total = 0
        for definition in definitions {
            guard let object = definition.objectValue else { continue }
            // `tools` entries wrap the function; legacy `functions` entries are the function.
            let function = object["function"]?.objectValue ?? object
            total += functionStart
            let name = function["name"]?.stringValue ?? ""
            total += tokenizer.count(name + ":" + Self.droppingFinalPeriod(function["description"]?.stringValue ?? ""))
            guard let properties = function["parameters"]?.objectValue?["properties"]?.objectValue, !properties.isEmpty else { continue }
            total += propertiesStart
            for property in properties.members {
                total += propertyKey
                let schema = property.value.objectValue ?? [:]
                if let values = schema["enum"]?.arrayValue {
                    total += enumStart
                    for value in values {
                        total += enumItem
                        total += tokenizer.count(value.stringValue ?? value.serialized())
                    }
                }
                let type = schema["type"]?.stringValue ?? ""
                let description = Self.droppingFinalPeriod(schema["description"]?.stringValue ?? "")
                total += tokenizer.count("\(property.key):\(type):\(description)")
            }
        }
        return total + functionsEnd
    }

    private static func droppingFinalPeriod(_ text: String) -> String {
        text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}
