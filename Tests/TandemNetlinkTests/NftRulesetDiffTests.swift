import Testing
import TandemNetlink
import TandemRuleset

@Suite struct NftRulesetDiffTests {
    typealias F = NftFixtures

    @Test func linesNameWhatChanged() {
        let base = NftCommitterTransactionKernelTests.good
        var next = base
        next.tables[0].sets[0].elements = [.single(F.a4("203.0.113.5"))]
        next.tables[0].chains.append(Chain(name: "if_dmz"))
        next.tables[0].chains[0].rules.removeLast()
        let lines = RulesetDiff(from: base, to: next).lines
        #expect(lines == [
            "+ chain inet tandem if_dmz",
            "~ chain inet tandem input (rules)",
            "+ element inet tandem lan_hosts 203.0.113.5",
            "- element inet tandem lan_hosts 192.0.2.0-192.0.2.127",
        ])
    }

    @Test func originsAloneAreNoChangeAndNewTablesAreListed() {
        let base = NftCommitterTransactionKernelTests.good
        var moved = base
        moved.tables[0].chains[0].rules[1].origin = RuleOrigin(path: "filter/rule[7]")
        #expect(RulesetDiff(from: base, to: moved).isEmpty)
        #expect(RulesetDiff(from: Ruleset(), to: base).lines == ["+ table inet tandem (2 chains, 1 sets, 2 rules)"])
    }

    /// Chains past `TwoCores.threshold` rules are compared in two halves at once: a change
    /// in either half, or at the edges, must still show.
    @Test(arguments: [nil, 0, 1_499, 1_500, 2_999] as [Int?])
    func aLongChainChangedAnywhereIsChanged(_ changed: Int?) {
        func ruleset(_ rules: [Rule]) -> Ruleset {
            Ruleset(tables: [Table(family: .inet, name: "tandem", chains: [Chain(name: "if_lan", rules: rules)])])
        }
        let rules = (0..<3_000).map { F.rule([.metaMark(UInt32($0))], comment: "r\($0)", origin: "filter/rule[\($0 + 1)]") }
        var next = rules.map { var r = $0; r.origin = RuleOrigin(path: "filter/rule[\(Int.random(in: 1...9_999))]"); return r }
        if let changed { next[changed].statements = [.verdict(.drop)] }
        let lines = RulesetDiff(from: ruleset(rules), to: ruleset(next)).lines
        #expect(lines == (changed == nil ? [] : ["~ chain inet tandem if_lan (rules)"]))
    }
}
