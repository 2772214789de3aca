/// A `TokenCounter` over another one that remembers each text's count by content hash.
///
/// Pipelines count the same blocks again and again (every request of a conversation
/// repeats the earlier ones), and hashing is far cheaper than byte-pair encoding.
public struct CachingTokenCounter: TokenCounter {
    let base: any TokenCounter
    let cache: TokenCountCache

    public init(_ base: any TokenCounter, capacity: Int = 100_000) {
        self.base = base
        cache = TokenCountCache(capacity: capacity)
    }

    public func count(_ text: String) -> Int {
        let key = StableHash(text)
        if let count = cache.count(for: key) { return count }
        let count = base.count(text)
        cache.store(count, for: key)
        return count
    }
}
