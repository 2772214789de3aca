/// A `TokenCounter` over another one that remembers each text's count by content hash.
///
/// Pipelines count the same blocks again and again (every request of a conversation
/// repeats the earlier ones), and hashing is far cheaper than byte-pair encoding.
struct CachingTokenCounter: TokenCounter {
    let base: any TokenCounter
    let cache: TokenCountCache

    init(_ base: any TokenCounter, capacity: Int = 100_000) {
        self.base = base
        cache = TokenCountCache(capacity: capacity)
    }

    func count(_ text: String) -> Int {
        let key = StableHash(text)
        if let count = cache.count(for: key) { return count }
        let count = base.count(text)
        cache.store(count, for: key)
        return count
    }
}
