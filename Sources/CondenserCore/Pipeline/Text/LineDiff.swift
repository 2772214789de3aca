/// A line diff (Myers' O(ND) greedy algorithm on line hashes), for near-duplicate
/// blocks: a file re-read after a small edit differs in a few lines, so D is small
/// and the diff takes linear time. Gives up beyond `maxEdits`, where a diff would not
/// be smaller than the text anyway.
enum LineDiff {
    /// One run of a diff script.
    package enum Run: Sendable, Hashable {
        /// `count` lines equal in both, starting at `old` and `new`.
        case equal(old: Int, new: Int, count: Int)
        /// Lines `old ..< old + count` of the old text removed.
        case delete(old: Int, count: Int)
        /// Lines `new ..< new + count` of the new text added.
        case insert(new: Int, count: Int)
    }

    /// The shortest edit script from `old` to `new`, as runs in order, or nil when it
    /// needs more than `maxEdits` inserted or deleted lines.
    static func diff<Element: Equatable>(_ old: [Element], _ new: [Element], maxEdits: Int) -> [Run]? {
        let n = old.count
        let m = new.count
        // Common head and tail are the usual case; trim them so D is spent on the middle.
        var head = 0
        while head < n, head < m, old[head] == new[head] { head += 1 }
        var tail = 0
        while tail < n - head, tail < m - head, old[n - 1 - tail] == new[m - 1 - tail] { tail += 1 }
        let a = old[head..<(n - tail)]
        let b = new[head..<(m - tail)]
        guard let middle = myers(Array(a), Array(b), maxEdits: maxEdits) else { return nil }
        var runs: [Run] = []
        if head > 0 { runs.append(.equal(old: 0, new: 0, count: head)) }
        for run in middle {
            switch run {
            case .equal(let o, let nw, let c): runs.append(.equal(old: o + head, new: nw + head, count: c))
            case .delete(let o, let c): runs.append(.delete(old: o + head, count: c))
            case .insert(let nw, let c): runs.append(.insert(new: nw + head, count: c))
            }
        }
        if tail > 0 { runs.append(.equal(old: n - tail, new: m - tail, count: tail)) }
        return runs
    }

    static func myers<Element: Equatable>(_ a: [Element], _ b: [Element], maxEdits: Int) -> [Run]? {
        let n = a.count
        let m = b.count
        if n == 0 && m == 0 { return [] }
        if n + m > 0, n == 0 || m == 0 {
            guard n + m <= maxEdits else { return nil }
            return n == 0 ? [.insert(new: 0, count: m)] : [.delete(old: 0, count: n)]
        }
        let limit = min(n + m, maxEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var found = false
        outer: for d in 0...limit {
            trace.append(v)
            var k = -d
            while k <= d {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    found = true
                    break outer
                }
                k += 2
            }
        }
        guard found else { return nil }
        // Walk the trace back from (n, m), collecting single steps, then merge them.
        var steps: [(kind: Int, old: Int, new: Int)] = [] // 0 equal, 1 delete, 2 insert
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let vd = trace[d]
            let k = x - y
            let previousK: Int
            if d == 0 {
                while x > 0, y > 0 {
                    x -= 1
                    y -= 1
                    steps.append((0, x, y))
                }
                break
            }
            if k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1]) {
                previousK = k + 1
            } else {
                previousK = k - 1
            }
            let previousX = vd[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1
                y -= 1
                steps.append((0, x, y))
            }
            if x == previousX {
                y -= 1
                steps.append((2, x, y))
            } else {
                x -= 1
                steps.append((1, x, y))
            }
        }
        var runs: [Run] = []
        for step in steps.reversed() {
            switch (step.kind, runs.last) {
            case (0, .equal(let o, let nw, let c)?) where o + c == step.old && nw + c == step.new:
                runs[runs.count - 1] = .equal(old: o, new: nw, count: c + 1)
            case (1, .delete(let o, let c)?) where o + c == step.old:
                runs[runs.count - 1] = .delete(old: o, count: c + 1)
            case (2, .insert(let nw, let c)?) where nw + c == step.new:
                runs[runs.count - 1] = .insert(new: nw, count: c + 1)
            case (0, _): runs.append(.equal(old: step.old, new: step.new, count: 1))
            case (1, _): runs.append(.delete(old: step.old, count: 1))
            default: runs.append(.insert(new: step.new, count: 1))
            }
        }
        return runs
    }

    /// Unified-diff hunks (`@@ -a,b +c,d @@`, then ` `, `-`, `+` lines) with `context`
    /// unchanged lines around each change.
    static func unifiedHunks(old: [Substring], new: [Substring], runs: [Run], context: Int) -> String {
        // Flatten to (kind, oldIndex, newIndex) lines, then cut hunks around changes.
        var lines: [(kind: UInt8, old: Int, new: Int)] = []
        for run in runs {
            switch run {
            case .equal(let o, let n, let c): for i in 0..<c { lines.append((0, o + i, n + i)) }
            case .delete(let o, let c): for i in 0..<c { lines.append((1, o + i, -1)) }
            case .insert(let n, let c): for i in 0..<c { lines.append((2, -1, n + i)) }
            }
        }
        var out = ""
        var index = 0
        while index < lines.count {
            guard let firstChange = lines[index...].firstIndex(where: { $0.kind != 0 }) else { break }
            let start = max(index, firstChange - context)
            var end = firstChange
            // Extend while the next change is within 2 * context equal lines.
            while true {
                var next = end + 1
                while next < lines.count, lines[next].kind != 0 { next += 1 }
                end = next - 1
                let following = lines[next...].prefix(2 * context + 1).firstIndex { $0.kind != 0 }
                if let following, following - next <= 2 * context {
                    end = following
                } else {
                    break
                }
            }
            let stop = min(lines.count, end + 1 + context)
            let hunk = lines[start..<stop]
            var oldStart = 0
            var newStart = 0
            var oldCount = 0
            var newCount = 0
            // Positions of the hunk start in each file (1-based, as diff prints them).
            oldStart = (lines[..<start].last { $0.kind != 2 }?.old ?? -1) + 2
            newStart = (lines[..<start].last { $0.kind != 1 }?.new ?? -1) + 2
            for line in hunk {
                if line.kind != 2 { oldCount += 1 }
                if line.kind != 1 { newCount += 1 }
            }
            if oldCount == 0 { oldStart -= 1 }
            if newCount == 0 { newStart -= 1 }
            out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for line in hunk {
                switch line.kind {
                case 0: out += " " + old[line.old] + "\n"
                case 1: out += "-" + old[line.old] + "\n"
                default: out += "+" + new[line.new] + "\n"
                }
            }
            index = stop
        }
        return out
    }
}
