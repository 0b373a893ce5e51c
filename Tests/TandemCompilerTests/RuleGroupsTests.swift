import TandemAddress
import TandemConfig
import TandemRuleset
import Testing
@testable import TandemCompiler

/// `RuleGroups`: runs of filter rules that differ only in single addresses and ports become
/// one lookup rule and a set with one element (and counter) per rule.
@Suite struct RuleGroupsTests {
    static func rule(_ n: Int, source: String = "192.0.2.10", port: UInt16, log: Bool = false,
                     proto: UInt8 = 6) -> Rule {
        Rule(matches: [.nfproto(.ipv4), .l4proto([proto]),
                       .address(.source, .ipv4, .address(IPAddress(source)!)), .port(.destination, .port(port))],
             statements: [.counter] + (log ? [.log(prefix: "tandem:rule\(n):pass ")] : []) + [.verdict(.accept)],
             comment: "rule \(n)", origin: RuleOrigin(path: "filter/rule[\(n)]"))
    }

    @Test func aRunOfEightRulesOfOneShapeIsOneLookupAndOneElementPerRule() throws {
        let rules = (1...8).map { Self.rule($0, port: UInt16(1000 + $0)) }
        let (out, sets) = RuleGroups.group(rules, chain: "if_lan.501")
        #expect(out.count == 1)
        let set = try #require(sets.first)
        #expect(set.name == "rules_if_lan_501_1")
        #expect(set.keyTypes == [.ipv4Address, .inetService] && set.counters)
        #expect(set.elements.first == .tuple([.ipv4(IPv4Address("192.0.2.10")!), .port(1001)], comment: "rule 1"))
        #expect(set.ruleGroup?.origins.map(\.path) == (1...8).map { "filter/rule[\($0)]" })
        #expect(set.ruleGroup?.hasDuplicates == false)
        #expect(out[0].matches == [.nfproto(.ipv4), .l4proto([6]),
                                   .concatenation([.address(.source, .ipv4), .port(.destination)], set: set.name)])
        #expect(out[0].statements == [.counter, .verdict(.accept)])
    }

    @Test func shorterRunsStayRules() {
        let rules = (1...7).map { Self.rule($0, port: UInt16(1000 + $0)) }
        let (out, sets) = RuleGroups.group(rules + [Self.rule(8, port: 9, proto: 17)], chain: "if_lan")
        #expect(sets.isEmpty && out.count == 8)
    }

    @Test func aLoggedRuleOrAnotherShapeEndsTheRun() {
        var rules = (1...20).map { Self.rule($0, port: UInt16(1000 + $0)) }
        rules[9] = Self.rule(10, port: 22, log: true)
        let (out, sets) = RuleGroups.group(rules, chain: "if_lan")
        // 9 rules, the logged one, 10 rules: two groups around it, in order.
        #expect(sets.map(\.name) == ["rules_if_lan_1", "rules_if_lan_2"])
        #expect(sets.map(\.elements.count) == [9, 10])
        #expect(out.count == 3 && out[1] == rules[9])
    }

    @Test func aRepeatedTupleHasNoElementAndMarksTheGroup() throws {
        var rules = (1...9).map { Self.rule($0, port: UInt16(1000 + $0)) }
        rules[8] = Self.rule(9, port: 1003)
        let set = try #require(RuleGroups.group(rules, chain: "if_lan").sets.first)
        #expect(set.elements.count == 8 && set.ruleGroup?.hasDuplicates == true)
    }

    @Test func groupsAreMadeOnlyWhenTheConfigTurnsThemOn() throws {
        let rules = (1...10).map { n in
            "<rule><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
                + "<source><any/></source><destination><address>198.51.100.\(n)</address><port>443</port></destination></rule>"
        }.joined()
        func config(_ system: String) throws -> Config {
            try ConfigDocument(text: """
            <pfsense><version>23.3</version><system><hostname>fw</hostname>\(system)</system>
            <interfaces><lan><enable/><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan></interfaces>
            <filter>\(rules)</filter></pfsense>
            """).config
        }
        let off = RulesetCompiler.compile(try config(""))
        #expect(RulesetCompilerTests.chain(off, "if_lan")?.rules.count == 10)
        let on = RulesetCompiler.compile(try config("<tandem><rulegroups/></tandem>"))
        #expect(RulesetCompilerTests.chain(on, "if_lan")?.rules.count == 1)
        #expect(RulesetCompilerTests.table(on).sets.contains { $0.name == "rules_if_lan_1" })
    }

    @Test func rulesNotFromTheFilterSectionOrWithoutValuesHaveNoShape() {
        var auto = Self.rule(1, port: 22)
        auto.origin = RuleOrigin(path: "auto/antilockout")
        #expect(RuleGroups.shape(of: auto) == nil)
        let any = Rule(matches: [.nfproto(.ipv4)], statements: [.verdict(.accept)], origin: RuleOrigin(path: "filter/rule[1]"))
        #expect(RuleGroups.shape(of: any) == nil)
        // A port without its protocol before it cannot be looked up.
        let bare = Rule(matches: [.port(.destination, .port(22))], statements: [.verdict(.accept)],
                        origin: RuleOrigin(path: "filter/rule[1]"))
        #expect(RuleGroups.shape(of: bare) == nil)
    }
}
