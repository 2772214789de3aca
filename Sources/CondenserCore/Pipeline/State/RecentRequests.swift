import Foundation
import Synchronization

/// The latest request of each recent conversation, with each message's count and content
/// hash, so the next request of the conversation neither counts nor hashes the messages
/// it repeats.
///
/// Both passes read every byte of a message; telling that a message is the one sent
/// before needs only a byte comparison, many times cheaper. A request is matched to the
/// conversation by its opening, and only its longest prefix that is byte for byte the
/// earlier request's is taken, so a match is never wrong, only sometimes missed (two
/// conversations with the same opening take turns in one entry). Bounded by entries,
/// least recently stored first out.
package final class RecentRequests: Sendable {
    struct Known: Sendable {
        /// The count (as billed) and content hash of the request's first messages.
        var tokens: ArraySlice<Int>
        var hashes: ArraySlice<StableHash>
    }

    private struct Entry {
        var messages: [JSONValue]
        var tokens: [Int]
        var hashes: [StableHash]
    }

    private let state: Mutex<LeastRecentlyStored<StableHash, Entry>>

    init(maximumEntries: Int) {
        state = Mutex(LeastRecentlyStored(maximumEntries: maximumEntries))
    }

    var count: Int { state.withLock { $0.count } }

    /// The counts and hashes of the longest prefix of the request's messages that the
    /// conversation's latest request had too, byte for byte. Counts belong to `counter`'s
    /// encoding.
    func known(_ request: FrontRequest, counter: String) -> Known {
        let values = request.messageValues
        guard let entry = state.withLock({ $0[Self.opening(request.conversation.messages, counter: counter)] }) else {
            return Known(tokens: [], hashes: [])
        }
        var same = 0
        while same < min(values.count, entry.messages.count), Self.identical(values[same], entry.messages[same]) {
            same += 1
        }
        return Known(tokens: entry.tokens[..<same], hashes: entry.hashes[..<same])
    }

    /// Records a request's messages with the count and content hash of each.
    func store(_ request: FrontRequest, tokens: [Int], hashes: [StableHash], counter: String) {
        guard !request.messageValues.isEmpty else { return }
        let key = Self.opening(request.conversation.messages, counter: counter)
        state.withLock { $0.store(Entry(messages: request.messageValues, tokens: tokens, hashes: hashes), for: key) }
    }

    /// Which entry a request may continue: the start of its first two messages' first
    /// texts. Only a hint; `identical` decides.
    static func opening(_ messages: [ConversationMessage], counter: String) -> StableHash {
        var key = StableHash(counter)
        for message in messages.prefix(2) {
            var text = message.textBlocks.first?.text ?? message.role?.rawValue ?? "?"
            key = text.withUTF8 {
                key.combined(with: StableHash(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.prefix(1024)))))
            }
        }
        return key
    }

    /// Whether two JSON values are the same bytes: member order, number text and string
    /// bytes included (`==` on strings compares by Unicode equivalence, which is not enough).
    static func identical(_ a: JSONObject, _ b: JSONObject) -> Bool {
        guard a.members.count == b.members.count else { return false }
        for (x, y) in zip(a.members, b.members) {
            guard sameBytes(x.key, y.key), identical(x.value, y.value) else { return false }
        }
        return true
    }

    package static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)), (.string(let x), .string(let y)): return sameBytes(x, y)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)): return identical(x, y)
        default: return false
        }
    }

    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }
}
