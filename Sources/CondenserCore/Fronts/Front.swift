/// What a wire format (a front door) tells the pipeline about itself.
package struct FrontProfile: Sendable, Hashable {
    /// A stable name, in records and reports: `openai-chat`, `anthropic-messages`, `openai-responses`.
    package var name: String
    /// Whether token counts are the provider's own tokenizer or an estimate (o200k for
    /// Claude, whose tokenizer is not public). Estimated and exact totals never mix.
    package var tokenCount: TokenCountKind
    /// How the provider bills cached prompt prefixes: the re-cut decision weighs them.
    package var cachePricing: CachePricing

    package init(name: String, tokenCount: TokenCountKind, cachePricing: CachePricing) {
        self.name = name
        self.tokenCount = tokenCount
        self.cachePricing = cachePricing
    }
}

/// Whether a token count is exact or estimated.
package enum TokenCountKind: String, Sendable, Hashable, Codable {
    case exact
    case estimated
}

/// A provider's prompt-cache prices, as multiples of the uncached input price.
package struct CachePricing: Sendable, Hashable {
    /// A cached token read back (OpenAI 0.1 on recent models, Anthropic 0.1).
    package var readMultiplier: Double
    /// A token written to the cache (OpenAI 1, Anthropic 1.25 for the 5-minute TTL).
    package var writeMultiplier: Double
    /// How long a cached prefix lives after its last use.
    var ttlSeconds: Int
    /// Prefixes shorter than this are never cached.
    var minimumCacheableTokens: Int

    init(readMultiplier: Double, writeMultiplier: Double, ttlSeconds: Int, minimumCacheableTokens: Int) {
        self.readMultiplier = readMultiplier
        self.writeMultiplier = writeMultiplier
        self.ttlSeconds = ttlSeconds
        self.minimumCacheableTokens = minimumCacheableTokens
    }

    /// OpenAI's automatic caching: reads at 0.1, no write premium, 1,024-token minimum.
    static let openAI = CachePricing(readMultiplier: 0.1, writeMultiplier: 1, ttlSeconds: 300, minimumCacheableTokens: 1024)
    /// Anthropic's `cache_control` caching, 5-minute TTL: writes at 1.25, reads at 0.1.
    static let anthropic = CachePricing(readMultiplier: 0.1, writeMultiplier: 1.25, ttlSeconds: 300, minimumCacheableTokens: 1024)
}

/// A request any front parsed: its whole body and the conversation its text blocks form.
///
/// The one invariant of every front: the body forwarded equals `body` with only the
/// strings at the conversation's text-block paths changed, and none of them emptied
/// (`FrontRequest.maskedViolations`). Ids, signatures, `cache_control`, encrypted
/// content and unknown fields then cannot change.
package struct FrontRequest: Sendable {
    package var profile: FrontProfile
    /// The whole body as the client sent it (after parsing).
    package var body: JSONValue
    /// The model the request names, for choosing a tokenizer.
    package var model: String
    /// The messages (or input items) as the pipeline sees them, in order.
    package var conversation: Conversation
    /// Each conversation message's own JSON, in the same order: what makes two requests'
    /// messages the same, and what opaque parts are counted from.
    var messageValues: [JSONValue]
    /// Messages before this index must be forwarded exactly as the conversation's earlier
    /// requests forwarded them (Anthropic binds signed thinking to the bytes before it):
    /// one past the last message holding a thinking block; 0 when there is none.
    var pinnedPrefix: Int

    package init(
        profile: FrontProfile, body: JSONValue, model: String, conversation: Conversation, messageValues: [JSONValue],
        pinnedPrefix: Int = 0
    ) {
        precondition(conversation.messages.count == messageValues.count, "one JSON value per conversation message")
        self.profile = profile
        self.body = body
        self.model = model
        self.conversation = conversation
        self.messageValues = messageValues
        self.pinnedPrefix = pinnedPrefix
    }

    /// The body with each text block of `rewritten` (this request's conversation with
    /// only block texts changed) written back at its path. Unchanged texts are left as
    /// they are, so a request nothing changed is `body` itself.
    func body(applying rewritten: Conversation) -> JSONValue {
        var result = body
        for (before, after) in zip(conversation.messages, rewritten.messages) {
            for (old, new) in zip(before.textBlocks, after.textBlocks) where old.text != new.text {
                result.replace(at: old.path, with: .string(new.text))
            }
        }
        return result
    }

    /// Every way `forwarded` breaks the front invariant against this request's body:
    /// anything but a text-block string changed, or a text emptied. Empty when it holds.
    package func maskedViolations(forwarded: JSONValue) -> [String] {
        var problems: [String] = []
        var maskedOriginal = body
        var maskedForwarded = forwarded
        for block in conversation.messages.flatMap(\.textBlocks) {
            guard case .string(let text)? = forwarded[path: block.path] else {
                problems.append("\(block.path.rendered): no longer a string")
                continue
            }
            if text.isEmpty && !block.text.isEmpty { problems.append("\(block.path.rendered): emptied") }
            maskedOriginal.replace(at: block.path, with: .null)
            maskedForwarded.replace(at: block.path, with: .null)
        }
        if problems.isEmpty, maskedOriginal != maskedForwarded {
            problems.append("something besides the compressible texts changed")
        }
        return problems
    }
}

/// Why a front refused a request body: a sentence a user can act on, and where.
package struct FrontRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    /// The JSON path of the offending field (`messages[3].content`), when there is one.
    package var param: String?
    /// A machine-readable code, when one fits (`duplicate_key`, `invalid_json`).
    package var code: String?

    package init(_ message: String, param: String? = nil, code: String? = nil) {
        self.message = message
        self.param = param
        self.code = code
    }

    package var description: String { message }
}

/// A wire format: how its bodies become `FrontRequest`s.
package protocol FrontAdapter: Sendable {
    /// What this front tells the pipeline.
    static var profile: FrontProfile { get }
    /// Validates a parsed body (duplicate keys already refused) and makes the request the
    /// pipeline sees, every text block carrying its path.
    static func request(body: JSONValue) throws(FrontRequestError) -> FrontRequest
}
