/// Where encoded tokens go: an id array, or just a count.
protocol TokenSink {
    /// Whether the sink needs each token's rank, or only how many there are.
    static var wantsRanks: Bool { get }
    mutating func append(_ rank: UInt32)
    mutating func add(count: Int)
}

struct RankSink: TokenSink {
    var ids: [Int] = []
    static var wantsRanks: Bool { true }
    @inline(__always) mutating func append(_ rank: UInt32) { ids.append(Int(rank)) }
    @inline(__always) mutating func add(count: Int) {}
}

struct CountSink: TokenSink {
    var count = 0
    static var wantsRanks: Bool { false }
    @inline(__always) mutating func append(_ rank: UInt32) { count += 1 }
    @inline(__always) mutating func add(count: Int) { self.count += count }
}

/// Byte-pair merging of one piece, with tiktoken's rule: repeatedly merge the adjacent pair
/// whose merged bytes have the lowest rank, the leftmost one on a tie.
enum BytePairEncoder {
    /// Pieces longer than this merge through a heap instead of rescanning every pair after
    /// each merge, which is quadratic (a 1 MB run of one letter is a single piece).
    static let heapThreshold = 96

    @inline(__always)
    static func encode<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, into sink: inout Sink) {
        if length == 1 {
            sink.append(lookup.byteRanks[Int(piece.pointee)])
            return
        }
        let whole = lookup.rank(piece, length)
        if whole != RankTable.missing {
            sink.append(whole)
            return
        }
        if length <= heapThreshold {
            mergeByScanning(piece, length, lookup, into: &sink)
        } else {
            mergeWithHeap(piece, length, lookup, into: &sink)
        }
    }

    /// tiktoken's `_byte_pair_merge`, step for step: `parts[i]` is a boundary and the rank
    /// of merging the two segments that start there.
    static func mergeByScanning<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, _ length: Int, _ lookup: RankLookup, into sink: inout Sink) {
        withUnsafeTemporaryAllocation(of: (start: Int, rank: UInt32).self, capacity: length + 1) { parts in
            var minRank = RankTable.missing
            var minIndex = 0
            for i in 0..<(length - 1) {
                let rank = lookup.rank(piece + i, 2)
                if rank < minRank { minRank = rank; minIndex = i }
                parts[i] = (i, rank)
            }
            parts[length - 1] = (length - 1, RankTable.missing)
            parts[length] = (length, RankTable.missing)
            var count = length + 1

            @inline(__always) func rank(after i: Int) -> UInt32 {
                guard i + 3 < count else { return RankTable.missing }
                return lookup.rank(piece + parts[i].start, parts[i + 3].start - parts[i].start)
            }

            while minRank != RankTable.missing {
                let i = minIndex
                if i > 0 { parts[i - 1].rank = rank(after: i - 1) }
                parts[i].rank = rank(after: i)
                for k in (i + 1)..<(count - 1) { parts[k] = parts[k + 1] }
                count -= 1
                minRank = RankTable.missing
                for k in 0..<(count - 1) where parts[k].rank < minRank {
                    minRank = parts[k].rank
                    minIndex = k
                }
            }
            if Sink.wantsRanks {
                for k in 0..<(count - 1) {
                    sink.append(lookup.rank(piece + parts[k].start, parts[k + 1].start - parts[k].start))
                }
            } else {
                sink.add(count: count - 1)
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
        var next = [Int](unsafeUninitializedCapacity: length + 1) { buffer, count in
            for i in 0...length { buffer[i] = i + 1 }
            count = length + 1
        }
        var previous = [Int](unsafeUninitializedCapacity: length + 1) { buffer, count in
            for i in 0...length { buffer[i] = i - 1 }
            count = length + 1
        }
        var ranks = [UInt32](repeating: RankTable.missing, count: length + 1)
        var heap = MinHeap(capacity: length)
        for i in 0..<(length - 1) {
            let rank = lookup.rank(piece + i, 2)
            ranks[i] = rank
            if rank != RankTable.missing { heap.push(UInt64(rank) << 32 | UInt64(i)) }
        }
        var segments = length

        @inline(__always) func pairRank(_ i: Int) -> UInt32 {
            let j = next[i]
            guard j < length else { return RankTable.missing }
            return lookup.rank(piece + i, next[j] - i)
        }

        while let key = heap.pop() {
            let i = Int(key & 0xFFFF_FFFF)
            let rank = UInt32(key >> 32)
            guard ranks[i] == rank else { continue } // removed segments have `missing`
            let j = next[i]
            ranks[j] = RankTable.missing
            next[i] = next[j]
            previous[next[j]] = i
            segments -= 1
            ranks[i] = pairRank(i)
            if ranks[i] != RankTable.missing { heap.push(UInt64(ranks[i]) << 32 | UInt64(i)) }
            let p = previous[i]
            if p >= 0 {
                ranks[p] = pairRank(p)
                if ranks[p] != RankTable.missing { heap.push(UInt64(ranks[p]) << 32 | UInt64(p)) }
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
}

/// A binary min-heap of `UInt64` keys.
struct MinHeap {
    private var keys: [UInt64] = []

    init(capacity: Int) {
        keys.reserveCapacity(capacity)
    }

    mutating func push(_ key: UInt64) {
        keys.append(key)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child] < keys[parent] else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let last = keys.popLast() else { return nil }
        guard !keys.isEmpty else { return last }
        let top = keys[0]
        keys[0] = last
        var parent = 0
        let count = keys.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && keys[right] < keys[left] ? right : left
            guard keys[smaller] < keys[parent] else { break }
            keys.swapAt(smaller, parent)
            parent = smaller
        }
        return top
    }
}
