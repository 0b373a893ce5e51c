import Testing
import TandemAddress
import TandemCompiler
import TandemConfig
import TandemRuleset

/// Compiler properties that goldens show only by example.
@Suite struct RulesetCompilerTests {
    static func config(_ body: String, interfaces: String? = nil) throws -> Config {
        let ifs = interfaces ?? """
        <interfaces>
          <wan><enable/><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>GW</gateway></wan>
          <lan><enable/><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
        </interfaces>
        """
        return try ConfigDocument(text: "<pfsense><version>23.3</version><system><hostname>fw</hostname></system>\(ifs)\(body)</pfsense>").config
    }

    static func table(_ c: RulesetCompilation) -> Table { c.ruleset.tables[0] }
    static func chain(_ c: RulesetCompilation, _ name: String) -> Chain? { table(c).chains.first { $0.name == name } }

    @Test func aliasCycleTerminatesWithAWarning() throws {
        let c = RulesetCompiler.compile(try Self.config("""
        <aliases>
          <alias><name>a</name><type>network</type><address>192.0.2.0/26 b</address></alias>
          <alias><name>b</name><type>network</type><address>a 192.0.2.64/26</address></alias>
        </aliases>
        """))
        #expect(c.diagnostics.contains { $0.message.contains("includes itself") })
        let set = Self.table(c).sets.first { $0.name == "alias_a_v4" }
        // Both halves, merged into one /25.
        #expect(set?.elements == [.interval(.ipv4(IPv4Address(192, 0, 2, 0)), .ipv4(IPv4Address(192, 0, 2, 127)))])
    }

    /// A 100,000-long chain of nested aliases: no recursion to overflow the stack, no
    /// quadratic copying. Aliases within 32 levels of the end are flattened; the others
    /// (which the validator rejects) are left empty with a warning.
    @Test func aHundredThousandLongAliasChainCompilesQuickly() throws {
        var config = try Self.config("")
        config.aliases = (0..<100_000).map { i in
            var entries: [AliasEntry] = [.network(IPNetwork("192.0.2.\(i % 250)/32")!)]
            if i + 1 < 100_000 { entries.append(.alias("a\(i + 1)")) }
            return Alias(name: "a\(i)", kind: .network, entries: entries, location: SourceLocation(path: "aliases/alias[\(i + 1)]"))
        }
        let clock = ContinuousClock()
        let started = clock.now
        let c = RulesetCompiler.compile(config)
        #expect(clock.now - started < .seconds(30))
        let sets = Dictionary(Self.table(c).sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(sets["alias_a0_v4"] == nil)
        #expect(sets["alias_a99999_v4"]?.elements.count == 1)
        #expect(c.diagnostics.contains { $0.path == "aliases/alias[1]/address" && $0.message.contains("left empty") })
    }

    @Test func tenThousandEntryAliasIsOneLookup() throws {
        let addresses = (0..<10_000).map { i in "10.\(i / 256).\(i % 256).1" }.joined(separator: " ")
        let c = RulesetCompiler.compile(try Self.config("""
        <aliases><alias><name>big</name><type>host</type><address>\(addresses)</address></alias></aliases>
        <filter><rule><tracker>1</tracker><type>block</type><interface>wan</interface><ipprotocol>inet</ipprotocol>
          <source><address>big</address></source><destination><any/></destination></rule></filter>
        """))
        let set = try #require(Self.table(c).sets.first { $0.name == "alias_big_v4" })
        #expect(set.elements.count == 10_000)
        let rules = try #require(Self.chain(c, "if_wan")).rules
        #expect(rules.count == 1)
        #expect(rules[0].matches.contains(.address(.source, .ipv4, .namedSet("alias_big_v4"))))
    }

    @Test func nonQuickFloatingRulesRunReversedAfterTheDispatch() throws {
        let c = RulesetCompiler.compile(try Self.config("""
        <filter>
          <rule><tracker>11</tracker><type>pass</type><interface>lan</interface><floating>yes</floating><direction>in</direction>
            <ipprotocol>inet</ipprotocol><source><any/></source><destination><any/></destination></rule>
          <rule><tracker>12</tracker><type>block</type><interface>lan</interface><floating>yes</floating><direction>in</direction>
            <ipprotocol>inet</ipprotocol><source><any/></source><destination><any/></destination></rule>
          <rule><tracker>13</tracker><type>block</type><interface>lan</interface><floating>yes</floating><quick>yes</quick>
            <direction>in</direction><ipprotocol>inet</ipprotocol><source><any/></source><destination><any/></destination></rule>
        </filter>
        """))
        let inbound = try #require(Self.chain(c, "inbound")).rules
        let trackers = inbound.compactMap(\.origin?.tracker)
        #expect(trackers == ["13", "12", "11"])
        let dispatch = try #require(inbound.firstIndex { $0.statements.contains(.vmap(key: .iifname, map: "if_dispatch")) })
        #expect(inbound.firstIndex { $0.origin?.tracker == "13" }! < dispatch)
        #expect(inbound.firstIndex { $0.origin?.tracker == "12" }! > dispatch)
    }

    @Test func everyRuleCountsAndNamesItsOrigin() throws {
        let longTracker = String(repeating: "9", count: 200)
        let c = RulesetCompiler.compile(try Self.config("""
        <filter><rule><tracker>\(longTracker)</tracker><type>block</type><interface>lan</interface><log/>
          <ipprotocol>inet46</ipprotocol><descr><![CDATA[\(String(repeating: "é\\\"", count: 100))]]></descr>
          <source><any/></source><destination><any/></destination></rule></filter>
        """))
        let rules = try #require(Self.chain(c, "if_lan")).rules
        #expect(rules.count == 1)  // inet46 with nothing family specific: one rule
        for rule in rules {
            #expect(rule.statements.first == .counter)
            #expect(rule.origin?.path == "filter/rule[1]")
            #expect(rule.origin?.line != nil)
            #expect((rule.comment ?? "").utf8.count <= 128)
            for case .log(let prefix, _, _) in rule.statements { #expect(prefix.utf8.count <= 127) }
        }
    }

    @Test func interfaceRulesAreReachedFromOneBaseChainAfterDstnat() throws {
        let c = RulesetCompiler.compile(try Self.config(""))
        let map = try #require(Self.table(c).sets.first { $0.name == "if_dispatch" })
        #expect(map.dataType == .verdict)
        #expect(map.elements == [.mapping(.ifname("wan0"), .jump("if_wan")), .mapping(.ifname("lan0"), .jump("if_lan"))])
        let base = Self.table(c).chains.filter { $0.base != nil }
        let dispatching = base.filter { $0.rules.contains { $0.statements.contains(.vmap(key: .iifname, map: "if_dispatch")) } }
        #expect(dispatching.map(\.name) == ["inbound"])
        let inbound = try #require(dispatching.first)
        // pf filters `in` before routing and after rdr: prerouting, after the dstnat priority.
        #expect(inbound.base == BaseChain(type: .filter, hook: .prerouting, priority: 0, policy: .drop))
        #expect(inbound.rules.last?.statements.last == .verdict(.drop))
        #expect(!base.contains { $0.base?.hook == .input })
    }

    @Test func carpRulesOnlyWithCarpVIPs() throws {
        let without = RulesetCompiler.compile(try Self.config(""))
        let text = without.ruleset.render()
        #expect(!text.contains("vrrp"))
        let with = RulesetCompiler.compile(try Self.config("""
        <virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>1</vhid><advskew>0</advskew><advbase>1</advbase>
          <password>x</password><type>single</type><subnet_bits>24</subnet_bits><subnet>198.51.100.1</subnet></vip></virtualip>
        """))
        let t = with.ruleset.render()
        #expect(t.contains("meta l4proto vrrp ip daddr 224.0.0.18 counter accept"))
        #expect(t.contains("meta l4proto vrrp ip saddr @self_v4 counter log"))
        #expect(t.contains("meta l4proto vrrp return"))
    }

    @Test func unresolvedAliasesAreReportedAsWarnings() throws {
        let c = RulesetCompiler.compile(try Self.config("""
        <aliases>
          <alias><name>dns</name><type>host</type><address>host.example.com 192.0.2.53</address></alias>
          <alias><name>feed</name><type>urltable</type><url>https://example.com/x</url><address></address></alias>
        </aliases>
        """))
        #expect(c.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(c.diagnostics.contains { $0.message.contains("host.example.com") })
        #expect(c.diagnostics.contains { $0.message.contains("URL alias 'feed'") })
        let names = Self.table(c).sets.map(\.name)
        #expect(names.contains("alias_dns_v4") && names.contains("alias_dns_v6"))
        #expect(names.contains("alias_feed_v4") && names.contains("alias_feed_v6"))
    }

    @Test(arguments: ["_vip5f0a1b2c3d4e5", "5f0a1b2c3d4e5", "WAN VIP"])
    func vipNamedInARuleIsItsAddress(_ name: String) throws {
        let c = RulesetCompiler.compile(try Self.config("""
        <virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>1</vhid><advskew>0</advskew><advbase>1</advbase>
          <password>x</password><type>single</type><subnet_bits>24</subnet_bits><subnet>198.51.100.1</subnet>
          <descr>WAN VIP</descr><uniqid>5f0a1b2c3d4e5</uniqid></vip></virtualip>
        <filter><rule><tracker>1</tracker><type>pass</type><interface>wan</interface><ipprotocol>inet</ipprotocol>
          <source><any/></source><destination><network>\(name)</network></destination></rule></filter>
        """))
        let rules = try #require(Self.chain(c, "if_wan")).rules
        #expect(rules.count == 1)
        #expect(rules.first?.matches.contains(.address(.destination, .ipv4, .address(IPAddress("198.51.100.1")!))) == true)
    }

    @Test(arguments: ["automatic", "hybrid", "advanced", "disabled"])
    func outboundModes(_ mode: String) throws {
        let c = RulesetCompiler.compile(try Self.config("""
        <nat><outbound><mode>\(mode)</mode>
          <rule><interface>wan</interface><source><network>lan</network></source><destination><any/></destination>
            <target>198.51.100.2</target><staticnatport/><descr>manual</descr></rule>
        </outbound></nat>
        """))
        let rules = Self.chain(c, "srcnat")?.rules ?? []
        let manual = rules.filter { $0.origin?.path == "nat/outbound/rule[1]" }.count
        let automatic = rules.filter { $0.origin?.path == "nat/outbound" }.count
        switch mode {
        case "automatic": #expect(manual == 0 && automatic == 3)
        case "hybrid": #expect(manual == 1 && automatic == 3 && rules.first?.origin?.path == "nat/outbound/rule[1]")
        case "advanced": #expect(manual == 1 && automatic == 0)
        default: #expect(rules.isEmpty)
        }
    }

    /// Rule `n` of a long filter section: every third on WAN, rule 600 floating, the rest on LAN;
    /// TCP and UDP by turns.
    static func longFilter(_ count: Int) -> String {
        let rules = (1...count).map { n in
            let where_ = n == 600 ? "<interface>lan</interface><floating>yes</floating><quick>yes</quick><direction>in</direction>"
                : "<interface>\(n % 3 == 0 ? "wan" : "lan")</interface>"
            // TCP and UDP by turns: no run of one shape for `RuleGroups` to make a set of.
            return "<rule><type>pass</type>\(where_)<ipprotocol>inet</ipprotocol><protocol>\(n % 2 == 0 ? "tcp" : "udp")</protocol>"
                + "<source><any/></source><destination><any/><port>\(n)</port></destination></rule>"
        }
        return "<filter>" + rules.joined() + "</filter>"
    }

    @Test func longTabsAreCutIntoPartsByRuleNumberAndJumpedToInOrder() throws {
        let c = RulesetCompiler.compile(try Self.config(Self.longFilter(1_200)))
        let lan = try #require(Self.chain(c, "if_lan")).rules
        #expect(lan.map(\.statements) == [[.verdict(.jump("if_lan.1"))], [.verdict(.jump("if_lan.501"))],
                                          [.verdict(.jump("if_lan.1001"))]])
        #expect(lan.map(\.comment) == ["rules 1-500", "rules 501-1000", "rules 1001-1500"])
        #expect(try #require(Self.chain(c, "if_wan")).rules.count == 3)
        // Each part holds exactly its tab's rules of its numbers, in order; the floating rule
        // keeps its number and is in no part.
        for (chain, numbers) in [("if_lan.501", (501...1000).filter { $0 % 3 != 0 && $0 != 600 }),
                                 ("if_wan.1001", (1001...1200).filter { $0 % 3 == 0 })] {
            let part = try #require(Self.chain(c, chain)).rules
            #expect(part.map { $0.origin?.path } == numbers.map { "filter/rule[\($0)]" }, "\(chain)")
        }
        let names = Self.table(c).chains.map(\.name)
        #expect(names.filter { $0.contains(".") } == ["if_wan.1", "if_wan.501", "if_wan.1001",
                                                     "if_lan.1", "if_lan.501", "if_lan.1001"])
    }

    @Test func tabsOfFiveHundredRulesOrFewerAreOneChain() throws {
        let c = RulesetCompiler.compile(try Self.config(Self.longFilter(500)))
        #expect(!Self.table(c).chains.contains { $0.name.contains(".") })
        let lan = try #require(Self.chain(c, "if_lan")).rules.compactMap { $0.origin?.path }
        #expect(lan.filter { $0.hasPrefix("filter/") } == (1...500).filter { $0 % 3 != 0 }.map { "filter/rule[\($0)]" })
        // A skeleton cut from a long file is named as the whole file is.
        let skeleton = RulesetCompiler.compile(try Self.config(Self.longFilter(1)), filterRuleCount: 1_200)
        #expect(try #require(Self.chain(skeleton, "if_lan")).rules.map(\.statements) == [[.verdict(.jump("if_lan.1"))]])
    }
}
