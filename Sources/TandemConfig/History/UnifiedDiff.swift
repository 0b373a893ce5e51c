/// A unified diff of two texts by lines, as `diff -u` prints it (POSIX `diff`, "Unified
/// format"): `---`/`+++` headers, `@@ -l,s +l,s @@` hunks with three lines of context.
/// Lines are matched by Myers' O(ND) algorithm (E. Myers, "An O(ND) Difference Algorithm and
/// Its Variations", Algorithmica 1986) after the common head and tail are cut off, which for
/// two revisions of one config leaves a few lines.
public enum UnifiedDiff {
    /// Edit scripts longer than this are not searched for: the differing middle is shown as
    /// removed and added whole (a correct diff, only not a minimal one), which bounds the
    /// search's time and memory (O(D²)) for two unrelated files.
    static let maximumEdits = 4000

    public static func diff(_ old: String, _ new: String, oldName: String, newName: String,
                            context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let ops = script(a, b)
        guard ops.contains(where: { $0 != .same }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        // Where each op starts in a and b.
        var positions: [(a: Int, b: Int)] = []
        var x = 0, y = 0
        for op in ops {
            positions.append((x, y))
            if op != .insert { x += 1 }
            if op != .delete { y += 1 }
        }
        positions.append((x, y))
        // Changed ops grouped into hunks: two changes at most 2×context same lines apart
        // share one.
        let changed = ops.indices.filter { ops[$0] != .same }
        var groups: [(first: Int, last: Int)] = []
        for i in changed {
            if let g = groups.last, i - g.last - 1 <= 2 * context {
                groups[groups.count - 1].last = i
            } else {
                groups.append((i, i))
            }
        }
        for g in groups {
            let lo = max(0, g.first - context), hi = min(ops.count, g.last + 1 + context)
            let from = positions[lo], to = positions[hi]
            out += "@@ -\(range(from.a, to.a - from.a)) +\(range(from.b, to.b - from.b)) @@\n"
            for i in lo..<hi {
                let p = positions[i]
                switch ops[i] {
                case .same: out += " \(a[p.a])\n"
                case .delete: out += "-\(a[p.a])\n"
                case .insert: out += "+\(b[p.b])\n"
                }
            }
        }
        return out
    }

    /// `l,s` with diff's conventions: 1-based, `l` is the line before for an empty range.
    private static func range(_ start: Int, _ count: Int) -> String {
        count == 0 ? "\(start),0" : count == 1 ? "\(start + 1)" : "\(start + 1),\(count)"
    }

    static func lines(_ text: String) -> [Substring] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    enum Op: Equatable { case same, delete, insert }

    /// The edit script from `a` to `b`.
    static func script(_ a: [Substring], _ b: [Substring]) -> [Op] {
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let middle = myers(Array(a[head..<(a.count - tail)]), Array(b[head..<(b.count - tail)]))
        return Array(repeating: .same, count: head) + middle + Array(repeating: .same, count: tail)
    }

    private static func myers(_ a: [Substring], _ b: [Substring]) -> [Op] {
        let n = a.count, m = b.count
        if n == 0 { return Array(repeating: .insert, count: m) }
        if m == 0 { return Array(repeating: .delete, count: n) }
        let limit = min(n + m, maximumEdits)
        // v[k + offset]: the furthest x on diagonal k; `trace[d]` is v before step d.
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var found = false
        search: for d in 0...limit {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n, y >= m { found = true; break search }
            }
        }
        guard found else {
            return Array(repeating: .delete, count: n) + Array(repeating: .insert, count: m)
        }
        // Backtrack from (n, m) through the saved frontiers.
        var ops: [Op] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let saved = trace[d]
            func at(_ k: Int) -> Int { saved[k + d + 1] }
            let k = x - y
            let previousK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : at(previousK)
            let previousY = previousX - previousK
            while x > previousX, y > previousY { ops.append(.same); x -= 1; y -= 1 }
            if d > 0 {
                if x == previousX { ops.append(.insert) } else { ops.append(.delete) }
                x = previousX; y = previousY
            }
        }
        return ops.reversed()
    }
}
