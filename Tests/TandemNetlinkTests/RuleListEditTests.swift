import Testing
import TandemTestSupport
@testable import TandemNetlink

/// The edit script for a chain's rules: few messages, and applied in order (deletes, then
/// each insertion next to its anchor, as the kernel and `NftRuleHandles` place them) it
/// gives exactly the new list.
@Suite struct RuleListEditTests {
    /// Applies `edit` to `before` the way the kernel does and returns the resulting list.
    static func applied(_ edit: RuleListEdit, _ before: [Int], _ after: [Int]) -> [Int] {
        // Entries: (old index or nil, value); anchors name old indices.
        var chain: [(old: Int?, value: Int)] = before.enumerated().map { ($0.offset, $0.element) }
        chain.removeAll { entry in entry.old.map { edit.removed.contains($0) } ?? false }
        for insertion in edit.inserted {
            let entry = (old: Int?.none, value: after[insertion.index])
            switch insertion.anchor {
            case .end: chain.append(entry)
            case .after(let k): chain.insert(entry, at: chain.firstIndex { $0.old == k }! + 1)
            case .before(let k): chain.insert(entry, at: chain.firstIndex { $0.old == k }!)
            }
        }
        return chain.map(\.value)
    }

    @Test func aRuleShiftedIntoAPartIsOneInsertAndOneDelete() {
        // A rule inserted in front pushes the part's last rule into the next part.
        let before = Array(1...500), after = [0] + Array(1...499)
        let edit = RuleListEdit(from: before, to: after, same: ==)
        #expect(edit.removed == [499])
        #expect(edit.inserted == [.init(index: 0, anchor: .before(0))])
        #expect(Self.applied(edit, before, after) == after)
    }

    @Test func insertionsInTheMiddleAreAnchoredAfterTheRuleBeforeThem() {
        let before = [1, 2, 3, 4, 5, 6], after = [1, 2, 10, 11, 3, 4, 12, 5, 6]
        let edit = RuleListEdit(from: before, to: after, same: ==)
        #expect(edit.removed.isEmpty)
        #expect(edit.inserted == [.init(index: 3, anchor: .after(1)), .init(index: 2, anchor: .after(1)),
                                  .init(index: 6, anchor: .after(3))])
        #expect(Self.applied(edit, before, after) == after)
    }

    @Test func aChainWithNothingInCommonIsRefilledInOrder() {
        let before = [1, 2], after = [3, 4, 5]
        let edit = RuleListEdit(from: before, to: after, same: ==)
        #expect(edit.removed == [0, 1])
        #expect(edit.inserted.map(\.anchor) == [.end, .end, .end])
        #expect(Self.applied(edit, before, after) == after)
    }

    @Test func aMiddleBeyondTheLimitIsReplacedWhole() {
        let n = RuleListEdit.differenceLimit + 1
        let before = [-1] + Array(0..<n) + [-2], after = [-1] + Array(1...n) + [-2]
        let edit = RuleListEdit(from: before, to: after, same: ==)
        #expect(edit.removed.count == n)
        #expect(edit.inserted.count == n)
        #expect(Self.applied(edit, before, after) == after)
    }

    @Test func randomEditsGiveTheNewListWithAMinimalScript() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<300 {
            let before = (0..<Int.random(in: 0...40, using: &rng)).map { _ in Int.random(in: 0...9, using: &rng) }
            var after = before
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                if !after.isEmpty, Bool.random(using: &rng) {
                    after.remove(at: Int.random(in: 0..<after.count, using: &rng))
                } else {
                    after.insert(Int.random(in: 0...9, using: &rng), at: Int.random(in: 0...after.count, using: &rng))
                }
            }
            let edit = RuleListEdit(from: before, to: after, same: ==)
            #expect(Self.applied(edit, before, after) == after, "\(before) → \(after)")
            // Never more messages than the standard library's minimal difference.
            #expect(edit.removed.count + edit.inserted.count <= after.difference(from: before).count)
        }
    }
}
