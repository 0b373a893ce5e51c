/// How a chain's rules become new ones in few messages: which old rules go (DELRULE by
/// handle) and where each new rule goes (NEWRULE next to a kept old rule).
///
/// The unchanged head and tail are found first, in one linear pass each. Between them, when
/// both sides are at most `differenceLimit` rules, the minimal edit script (the standard
/// library's `difference(from:by:)`, Myers' O((N+M)·D) algorithm): a rule inserted at the
/// top of a long interface tab shifts one rule from each part chain into the next
/// (`FilterRules.partSize`), and each part must then cost one NEWRULE and one DELRULE, not
/// all its rules. Beyond the limit the whole middle is replaced, as the kernel rebuilds
/// such a chain whole anyway.
struct RuleListEdit: Equatable {
    /// Where a new rule goes, by the index of a kept old rule.
    enum Anchor: Equatable {
        case after(Int)
        case before(Int)
        /// The chain keeps no old rule: appended in order.
        case end
    }

    struct Insertion: Equatable {
        /// The rule's index in the new list.
        var index: Int
        var anchor: Anchor
    }

    /// Old indices, ascending.
    var removed: [Int]
    /// In the order to send them: a run placed after the same rule is sent last first, so
    /// each lands right after it.
    var inserted: [Insertion]

    static let differenceLimit = 2_048

    init<R>(from before: [R], to after: [R], same: (R, R) -> Bool) {
        var head = 0
        while head < before.count, head < after.count, same(before[head], after[head]) { head += 1 }
        var tail = 0
        while tail < before.count - head, tail < after.count - head,
              same(before[before.count - 1 - tail], after[after.count - 1 - tail]) { tail += 1 }
        let oldMiddle = head..<(before.count - tail), newMiddle = head..<(after.count - tail)

        // For every new index, the old rule it keeps (nil: inserted).
        var kept = [Int?](repeating: nil, count: after.count)
        for j in 0..<head { kept[j] = j }
        for k in 0..<tail { kept[after.count - 1 - k] = before.count - 1 - k }
        var removedOld = Set(oldMiddle)
        // One rule against one (an edit in place) needs no script: the head and tail
        // passes left exactly the two that differ.
        if !oldMiddle.isEmpty, !newMiddle.isEmpty, oldMiddle.count > 1 || newMiddle.count > 1,
           oldMiddle.count <= Self.differenceLimit, newMiddle.count <= Self.differenceLimit {
            let difference = after[newMiddle].difference(from: before[oldMiddle], by: same)
            var gone = Set<Int>(), added = Set<Int>()
            for change in difference {
                switch change {
                case .remove(let offset, _, _): gone.insert(oldMiddle.lowerBound + offset)
                case .insert(let offset, _, _): added.insert(newMiddle.lowerBound + offset)
                }
            }
            // The rules the script keeps pair up in order.
            var i = oldMiddle.lowerBound
            for j in newMiddle where !added.contains(j) {
                while gone.contains(i) { i += 1 }
                kept[j] = i
                i += 1
            }
            removedOld = gone
        }
        removed = removedOld.sorted()

        var inserted: [Insertion] = []
        var j = newMiddle.lowerBound
        while j < newMiddle.upperBound {
            guard kept[j] == nil else { j += 1; continue }
            var end = j
            while end + 1 < newMiddle.upperBound, kept[end + 1] == nil { end += 1 }
            if j > 0, let k = kept[j - 1] {
                inserted += (j...end).reversed().map { Insertion(index: $0, anchor: .after(k)) }
            } else if end + 1 < after.count, let k = kept[end + 1] {
                inserted += (j...end).map { Insertion(index: $0, anchor: .before(k)) }
            } else {
                inserted += (j...end).map { Insertion(index: $0, anchor: .end) }
            }
            j = end + 1
        }
        self.inserted = inserted
    }
}
