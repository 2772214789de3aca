/// Where encoded tokens go: an id array, or just a count.
protocol TokenSink {
    /// Whether the sink needs each token's rank, or only how many there are.
    static var wantsRanks: Bool { get }
    /// The number of tokens so far.
    var tokens: Int { get }
    mutating func append(_ rank: UInt32)
    mutating func add(count: Int)
}

struct RankSink: TokenSink {
    var ids: [Int] = []
    static var wantsRanks: Bool { true }
    var tokens: Int { ids.count }
    @inline(__always) mutating func append(_ rank: UInt32) { ids.append(Int(rank)) }
    @inline(__always) mutating func add(count: Int) {}
}

struct CountSink: TokenSink {
    var count = 0
    static var wantsRanks: Bool { false }
    var tokens: Int { count }
    @inline(__always) mutating func append(_ rank: UInt32) { count += 1 }
    @inline(__always) mutating func add(count: Int) { self.count += count }
}

/// Byte-pair merging of one piece, with tiktoken's rule: repeatedly merge the adjacent pair
/// whose merged bytes have the lowest rank, the leftmost one on a tie.
enum BytePairEncoder {
    /// Pieces longer than this merge through a heap instead of rescanning every pair after
    /// each merge, which is quadratic (a 1 MB run of one letter is a single piece).
    static let heapThreshold = 96

    /// - Parameter pieceCounts: counts of merged pieces, used when the sink wants only a count.
    @inline(__always)
    static func encode<Sink: TokenSink>(
        _ piece: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, _ pieceCounts: PieceCountCache, into sink: inout Sink
    ) {
        if length == 1 {
            sink.append(lookup.byteRanks[Int(piece.pointee)])
            return
        }
        let whole = lookup.rank(piece, length)
        if whole != RankTable.missing {
            sink.append(whole)
            return
        }
        if !Sink.wantsRanks {
            sink.add(
                count: pieceCounts.count(piece, length) {
                    var counted = CountSink()
                    merge(piece, length, lookup, into: &counted)
                    return counted.count
                })
            return
        }
        merge(piece, length, lookup, into: &sink)
    }

    /// Merges a piece of two or more bytes that is not one token.
    @inline(__always)
    static func merge<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, into sink: inout Sink) {
        if length <= heapThreshold {
            mergeByScanning(piece, length, lookup, into: &sink)
        } else {
            mergeWithHeap(piece, length, lookup, into: &sink)
        }
    }

    /// tiktoken's `_byte_pair_merge`, step for step: `starts[i]` is a segment boundary and
    /// `ranks[i]` the rank of merging the two segments from there.
    static func mergeByScanning<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, into sink: inout Sink)
    {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: length + 1) { starts in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: length + 1) { ranks in
                var minRank = RankTable.missing
                var minIndex = 0
                for i in 0..<(length - 1) {
                    let rank = lookup.rank(piece + i, 2)
                    if rank < minRank {
                        minRank = rank
                        minIndex = i
                    }
                    starts[i] = i
                    ranks[i] = rank
                }
                starts[length - 1] = length - 1
                ranks[length - 1] = RankTable.missing
                starts[length] = length
                ranks[length] = RankTable.missing
                var count = length + 1

                while minRank != RankTable.missing {
                    let i = minIndex
                    // The ranks around the merge, over the boundaries as they are before removing i + 1.
                    if i > 0 {
                        ranks[i - 1] = i + 2 < count ? lookup.rank(piece + starts[i - 1], starts[i + 2] - starts[i - 1]) : RankTable.missing
                    }
                    ranks[i] = i + 3 < count ? lookup.rank(piece + starts[i], starts[i + 3] - starts[i]) : RankTable.missing
                    for k in (i + 1)..<(count - 1) {
                        starts[k] = starts[k + 1]
                        ranks[k] = ranks[k + 1]
                    }
                    count -= 1
                    minRank = RankTable.missing
                    for k in 0..<(count - 1) where ranks[k] < minRank {
                        minRank = ranks[k]
                        minIndex = k
                    }
                }
                if Sink.wantsRanks {
                    for k in 0..<(count - 1) {
                        sink.append(lookup.rank(piece + starts[k], starts[k + 1] - starts[k]))
                    }
                } else {
                    sink.add(count: count - 1)
                }
            }
        }
    }

    /// The same merges in O(n log n): a doubly linked list of segments and a min-heap of
    /// `(rank, start)` keys. The heap's order is tiktoken's order exactly: lowest rank, then
    /// lowest start, i.e. leftmost. A key is stale once its segment is gone or its rank has
    /// changed; a segment's pair only ever grows, and distinct byte strings have distinct
    /// ranks, so a stale key can never look current.
    static func mergeWithHeap<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, into sink: inout Sink) {
        // A segment is named by its start offset, which never changes; `length` is the end sentinel.
        let next = UnsafeMutablePointer<Int>.allocate(capacity: length + 1)
        let previous = UnsafeMutablePointer<Int>.allocate(capacity: length + 1)
        let ranks = UnsafeMutablePointer<UInt32>.allocate(capacity: length + 1)
        defer {
            next.deallocate()
            previous.deallocate()
            ranks.deallocate()
        }
        var heap = MinHeap(capacity: length)
        defer { heap.deallocate() }
        for i in 0...length {
            next[i] = i + 1
            previous[i] = i - 1
            ranks[i] = RankTable.missing
        }
        for i in 0..<(length - 1) {
            let rank = lookup.rank(piece + i, 2)
            ranks[i] = rank
            if rank != RankTable.missing { heap.push(UInt64(rank) << 32 | UInt64(i)) }
        }
        var segments = length

        while let key = heap.pop() {
            let i = Int(key & 0xFFFF_FFFF)
            guard ranks[i] == UInt32(key >> 32) else { continue } // removed segments have `missing`
            let j = next[i]
            let k = next[j]
            ranks[j] = RankTable.missing
            next[i] = k
            previous[k] = i
            segments -= 1
            // The merged segment with its right neighbour, and its left neighbour with it.
            let right = k < length ? lookup.rank(piece + i, next[k] - i) : RankTable.missing
            ranks[i] = right
            if right != RankTable.missing { heap.push(UInt64(right) << 32 | UInt64(i)) }
            let p = previous[i]
            if p >= 0 {
                let left = lookup.rank(piece + p, k - p)
                ranks[p] = left
                if left != RankTable.missing { heap.push(UInt64(left) << 32 | UInt64(p)) }
            }
        }
        if Sink.wantsRanks {
            var i = 0
            while i < length {
                sink.append(lookup.rank(piece + i, next[i] - i))
                i = next[i]
            }
        } else {
            sink.add(count: segments)
        }
    }

    /// A 4-ary min-heap of `UInt64` keys in memory its owner frees with `deallocate()`.
    /// Four children share a cache line, which halves the depth of a heap of a million keys.
    struct MinHeap {
        private var keys: UnsafeMutablePointer<UInt64>
        private var capacity: Int
        private var count = 0

        init(capacity: Int) {
            self.capacity = max(capacity, 16)
            keys = .allocate(capacity: self.capacity)
        }

        func deallocate() {
            keys.deallocate()
        }

        @inline(__always)
        mutating func push(_ key: UInt64) {
            if count == capacity {
                let larger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
                larger.update(from: keys, count: count)
                keys.deallocate()
                keys = larger
                capacity *= 2
            }
            var child = count
            count += 1
            while child > 0 {
                let parent = (child - 1) >> 2
                let above = keys[parent]
                guard key < above else { break }
                keys[child] = above
                child = parent
            }
            keys[child] = key
        }

        @inline(__always)
        mutating func pop() -> UInt64? {
            guard count > 0 else { return nil }
            let top = keys[0]
            count -= 1
            guard count > 0 else { return top }
            let last = keys[count]
            var parent = 0
            while true {
                let first = 4 * parent + 1
                guard first < count else { break }
                var smallest = first
                var smallestKey = keys[first]
                let end = min(first + 4, count)
                var child = first + 1
                while child < end {
                    let key = keys[child]
                    if key < smallestKey {
                        smallest = child
                        smallestKey = key
                    }
                    child += 1
                }
                guard smallestKey < last else { break }
                keys[parent] = smallestKey
                parent = smallest
            }
            keys[parent] = last
            return top
        }
    }
}
