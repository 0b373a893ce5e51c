import Foundation
import Testing
import TandemAddress
import TandemCompiler
import TandemConfig
import TandemRuleset
import TandemTestSupport

/// The compiled ruleset loaded with `nft -f` into a firewall namespace between a LAN client
/// and a WAN server; flows checked per rule.
@Suite(.serialized) struct TrafficTests {
    static let config = """
    <?xml version="1.0"?>
    <pfsense>
    \t<version>23.3</version>
    \t<system><hostname>primaryfw</hostname><webgui><protocol>https</protocol></webgui></system>
    \t<interfaces>
    \t\t<wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>WANGW</gateway></wan>
    \t\t<lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
    \t</interfaces>
    \t<gateways><gateway_item><interface>wan</interface><gateway>198.51.100.254</gateway><name>WANGW</name></gateway_item></gateways>
    \t<virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>143</vhid><advskew>0</advskew><advbase>1</advbase>
    \t\t<password>s</password><type>single</type><subnet_bits>24</subnet_bits><subnet>198.51.100.1</subnet><descr>WAN VIP</descr></vip></virtualip>
    \t<aliases>
    \t\t<alias><name>web_servers</name><type>host</type><address>198.51.100.254 198.51.100.250</address></alias>
    \t\t<alias><name>allowed_ports</name><type>port</type><address>80 81 8001</address></alias>
    \t</aliases>
    \t<nat>
    \t\t<outbound><mode>advanced</mode>
    \t\t\t<rule><interface>wan</interface><source><network>lan</network></source><destination><any></any></destination>
    \t\t\t<target>198.51.100.1</target><descr>LAN to the WAN VIP</descr></rule>
    \t\t</outbound>
    \t\t<rule><interface>wan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol><source><any></any></source>
    \t\t\t<destination><network>wanip</network><port>8080</port></destination><target>192.0.2.100</target>
    \t\t\t<local-port>80</local-port><associated-rule-id>nat_1</associated-rule-id><natreflection>purenat</natreflection>
    \t\t\t<descr>to the inside server</descr></rule>
    \t\t<rule><interface>wan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol><source><any></any></source>
    \t\t\t<destination><address>198.51.100.1</address><port>8081</port></destination><target>192.0.2.100</target>
    \t\t\t<local-port>81</local-port><associated-rule-id>pass</associated-rule-id><descr>rdr pass on the VIP</descr></rule>
    \t</nat>
    \t<filter>
    \t\t<rule><tracker>1</tracker><type>block</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>
    \t\t\t<source><network>lan</network></source><destination><any></any><port>81</port></destination><descr>first match blocks 81</descr></rule>
    \t\t<rule><tracker>2</tracker><type>reject</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>
    \t\t\t<source><any></any></source><destination><address>198.51.100.254</address><port>82</port></destination><descr>reject 82</descr></rule>
    \t\t<rule><tracker>3</tracker><type>reject</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>icmp</protocol>
    \t\t\t<source><any></any></source><destination><address>198.51.100.77</address></destination><descr>reject ping to .77</descr></rule>
    \t\t<rule><tracker>4</tracker><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>
    \t\t\t<source><network>lan</network></source><destination><address>web_servers</address><port>allowed_ports</port></destination>
    \t\t\t<descr>web via aliases</descr></rule>
    \t\t<rule><tracker>9</tracker><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>
    \t\t\t<source><network>lan</network></source><destination><address>192.0.2.100</address><port>80</port></destination>
    \t\t\t<descr>reflected traffic to the inside server</descr></rule>
    \t\t<rule><tracker>10</tracker><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>udp</protocol>
    \t\t\t<statetype>none</statetype><source><network>lan</network></source><destination><any></any><port>514</port></destination>
    \t\t\t<descr>stateless syslog</descr></rule>
    \t\t<rule><tracker>5</tracker><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>icmp</protocol>
    \t\t\t<source><network>lan</network></source><destination><any></any></destination><descr>ping</descr></rule>
    \t\t<rule><tracker>6</tracker><type>pass</type><interface>lan</interface><floating>yes</floating><direction>in</direction>
    \t\t\t<ipprotocol>inet</ipprotocol><protocol>tcp</protocol><source><any></any></source>
    \t\t\t<destination><any></any><port>8004</port></destination><descr>floating non-quick pass</descr></rule>
    \t\t<rule><tracker>7</tracker><type>block</type><interface>wan</interface><floating>yes</floating><quick>yes</quick>
    \t\t\t<direction>out</direction><ipprotocol>inet</ipprotocol><protocol>tcp</protocol><source><any></any></source>
    \t\t\t<destination><any></any><port>8001</port></destination><descr>floating quick block out</descr></rule>
    \t\t<rule><tracker>8</tracker><type>pass</type><interface>wan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>
    \t\t\t<source><any></any></source><destination><address>192.0.2.100</address><port>80</port></destination>
    \t\t\t<associated-rule-id>nat_1</associated-rule-id><descr>NAT to the inside server</descr></rule>
    \t</filter>
    </pfsense>
    """

    @Test(.needsNetworkNamespaces) func flowsFollowTheRules() throws {
        let config = try ConfigDocument(text: Self.config).config
        let compiled = RulesetCompiler.compile(config)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        let lab = try TrafficLab()
        defer { lab.stop() }
        try lab.load(compiled.ruleset.render())
        for port: UInt16 in [80, 81, 82, 8001, 8002, 8004] { try lab.listen(in: lab.server, port: port) }
        try lab.listen(in: lab.client, port: 80)
        try lab.listen(in: lab.client, port: 81)
        for port: UInt16 in [80, 81, 82, 8001, 8002, 8004] {
            lab.waitForListener(in: lab.server, host: "198.51.100.254", port: port)
        }
        lab.waitForListener(in: lab.client, host: "192.0.2.100", port: 80)
        lab.waitForListener(in: lab.client, host: "192.0.2.100", port: 81)

        // Alias lookup (host + port alias) passes, and outbound NAT shows the WAN VIP.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 80) == .connected("198.51.100.1"))
        // First match: rule 1 blocks 81 although rule 4's port alias includes it.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 81) == .timedOut)
        // Reject on TCP answers with a reset: refused, not a timeout.
        let start = Date()
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 82) == .refused)
        #expect(Date().timeIntervalSince(start) < 2.0)  // a drop would wait out nc -w 2
        // Reject on ICMP answers with ICMP port unreachable.
        let rejected = lab.ping(from: lab.client, "198.51.100.77")
        #expect(!rejected.ok && rejected.output.contains("Unreachable"), "\(rejected.output)")
        #expect(lab.ping(from: lab.client, "198.51.100.254").ok)
        // Default deny: nothing passes 8002.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 8002) == .timedOut)
        // Floating non-quick pass (after the interface rules, before the default deny).
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 8004) == .connected("198.51.100.1"))
        // Floating quick block out on WAN beats the LAN pass (pf filters in and out).
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 8001) == .timedOut)
        // Port forward reaches the inside server; the associated WAN rule passes it.
        #expect(lab.tcp(from: lab.server, to: "198.51.100.2", port: 8080) == .connected("198.51.100.254"))
        // statetype none: notrack in raw, passed by the stateless rule, no conntrack entry.
        _ = try? lab.client.exec(["nc", "-u", "-w", "1", "198.51.100.254", "514"], input: "hello\n")
        let ifLan = try lab.firewall.exec(["nft", "list", "chain", "inet", "tandem", "if_lan"])
        let stateless = ifLan.split(separator: "\n").first { $0.contains("tracker 10:") } ?? ""
        #expect(stateless.contains("counter packets 1 "), "\(stateless)")
        let tracked = try lab.firewall.exec(["conntrack", "-L", "-p", "udp", "--orig-port-dst", "514"])
        #expect(!tracked.contains("dport=514"), "\(tracked)")
        // "rdr pass": no filter rule passes 192.0.2.100:81; the ct mark set in dstnat is
        // accepted in forward.
        #expect(lab.tcp(from: lab.server, to: "198.51.100.1", port: 8081) == .connected("198.51.100.254"))
        // Pure NAT reflection: the LAN client reaches the forward through the WAN address and
        // is masqueraded behind the firewall's LAN address, as it shares the target's subnet.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.2", port: 8080) == .connected("192.0.2.2"))
        // WAN to the LAN host directly: rule 8 passes port 80 (post-DNAT rules match the
        // inside address), nothing passes 81 but the rdr-pass mark, so it meets the default deny.
        #expect(lab.tcp(from: lab.server, to: "192.0.2.100", port: 80) == .connected("198.51.100.254"))
        #expect(lab.tcp(from: lab.server, to: "192.0.2.100", port: 81) == .timedOut)
    }
}

/// The same rules behind 499 that match nothing: the file is long enough for its tabs to be
/// cut into parts (rule 500 blocks 81 in the first part, the pass by alias and the reject of
/// 82 are in the second), and first match holds across the parts.
@Suite(.serialized) struct TrafficTestsParts {
    @Test(.needsNetworkNamespaces) func firstMatchHoldsAcrossTheTabsParts() throws {
        let fillers = (1...499).map { n in
            "<rule><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
                + "<source><address>203.0.113.\(n % 250 + 1)</address></source><destination><any></any><port>\(n)</port></destination></rule>"
        }.joined(separator: "\n")
        let text = TrafficTests.config.replacingOccurrences(of: "\t<filter>\n", with: "\t<filter>\n" + fillers + "\n")
        let compiled = RulesetCompiler.compile(try ConfigDocument(text: text).config)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        #expect(compiled.ruleset.tables[0].chains.contains { $0.name == "if_lan.501" })
        let lab = try TrafficLab()
        defer { lab.stop() }
        try lab.load(compiled.ruleset.render())
        for port: UInt16 in [80, 81, 82, 8004] { try lab.listen(in: lab.server, port: port) }
        for port: UInt16 in [80, 81, 82, 8004] { lab.waitForListener(in: lab.server, host: "198.51.100.254", port: port) }
        // The pass by alias, in the second part.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 80) == .connected("198.51.100.1"))
        // Blocked in the first part: the second part's pass never sees it.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 81) == .timedOut)
        // Nothing in the first part decides 82: the second part rejects it.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 82) == .refused)
        // No part decides 8004: the floating non-quick pass after the tab.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 8004) == .connected("198.51.100.1"))
        let part = try lab.firewall.exec(["nft", "list", "chain", "inet", "tandem", "if_lan.1"])
        let block = part.split(separator: "\n").first { $0.contains("first match blocks 81") } ?? ""
        #expect(block.contains("counter packets") && !block.contains("counter packets 0 "), "\(block)")
    }
}

/// IPv6 rules and automatic outbound NAT through the same lab.
@Suite(.serialized) struct TrafficTestsIPv6 {
    static let config = """
    <?xml version="1.0"?>
    <pfsense>
    \t<version>23.3</version>
    \t<system><hostname>primaryfw</hostname><webgui><protocol>https</protocol></webgui></system>
    \t<interfaces>
    \t\t<wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>WANGW</gateway>
    \t\t\t<ipaddrv6>2001:db8:2::2</ipaddrv6><subnetv6>64</subnetv6></wan>
    \t\t<lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet>
    \t\t\t<ipaddrv6>2001:db8:1::2</ipaddrv6><subnetv6>64</subnetv6></lan>
    \t</interfaces>
    \t<gateways><gateway_item><interface>wan</interface><gateway>198.51.100.254</gateway><name>WANGW</name></gateway_item></gateways>
    \t<nat><outbound><mode>automatic</mode></outbound></nat>
    \t<filter>
    \t\t<rule><tracker>1</tracker><type>pass</type><interface>lan</interface><ipprotocol>inet46</ipprotocol><protocol>tcp</protocol>
    \t\t\t<source><network>lan</network></source><destination><any></any><port>80</port></destination><descr>web, both families</descr></rule>
    \t\t<rule><tracker>2</tracker><type>reject</type><interface>lan</interface><ipprotocol>inet6</ipprotocol><protocol>tcp</protocol>
    \t\t\t<source><any></any></source><destination><any></any><port>82</port></destination><descr>reject 82 over IPv6</descr></rule>
    \t</filter>
    </pfsense>
    """

    @Test(.needsNetworkNamespaces) func ipv6RulesAndAutomaticNAT() throws {
        let compiled = RulesetCompiler.compile(try ConfigDocument(text: Self.config).config)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        let lab = try TrafficLab()
        defer { lab.stop() }
        try lab.addIPv6()
        try lab.load(compiled.ruleset.render())
        try lab.listen(in: lab.server, port: 80)
        for port: UInt16 in [80, 82, 8002] { try lab.listen(in: lab.server, port: port, ipv6: true) }
        lab.waitForListener(in: lab.server, host: "198.51.100.254", port: 80)
        for port: UInt16 in [80, 82, 8002] { lab.waitForListener(in: lab.server, host: "2001:db8:2::254", port: port) }

        // Automatic outbound NAT: masquerade behind the WAN interface address.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 80) == .connected("198.51.100.2"))
        // IPv6 is routed, not translated; neighbour discovery through the firewall works.
        let v6 = lab.tcp(from: lab.client, to: "2001:db8:2::254", port: 80)
        guard case .connected(let peer) = v6 else {
            Issue.record("IPv6 connection to port 80: \(v6)")
            return
        }
        // socat prints the peer in full, bracketed form.
        #expect(IPAddress(peer.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) == IPAddress("2001:db8:1::100"))
        #expect(lab.tcp(from: lab.client, to: "2001:db8:2::254", port: 82) == .refused)
        #expect(lab.tcp(from: lab.client, to: "2001:db8:2::254", port: 8002) == .timedOut)
    }
}

/// Rule groups on: a group of blocks before a pass keeps first match, a group of passes
/// passes its tuples only, and each element counts its own packets.
@Suite(.serialized) struct TrafficTestsRuleGroups {
    static func rule(_ type: String, port: String, _ descr: String) -> String {
        "<rule><type>\(type)</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
            + "<source><address>192.0.2.100</address></source>"
            + "<destination><address>198.51.100.254</address><port>\(port)</port></destination><descr>\(descr)</descr></rule>"
    }

    @Test(.needsNetworkNamespaces) func groupedRulesKeepFirstMatchAndCountPerRule() throws {
        let blocks = (81...88).map { Self.rule("block", port: "\($0)", "block \($0)") }
        let pass = Self.rule("pass", port: "80-90", "pass 80-90")
        let passes = (8001...8010).map { Self.rule("pass", port: "\($0)", "pass \($0)") }
        let text = """
        <?xml version="1.0"?>
        <pfsense><version>23.3</version>
        <system><hostname>groupfw</hostname><tandem><rulegroups></rulegroups></tandem></system>
        <interfaces><wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet></wan>
        <lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan></interfaces>
        <filter>\((blocks + [pass] + passes).joined(separator: "\n"))</filter></pfsense>
        """
        let compiled = RulesetCompiler.compile(try ConfigDocument(text: text).config)
        let lan = try #require(compiled.ruleset.tables[0].chains.first { $0.name == "if_lan" })
        #expect(lan.rules.count == 3, "\(lan.rules)")
        let lab = try TrafficLab()
        defer { lab.stop() }
        try lab.load(compiled.ruleset.render())
        for port: UInt16 in [80, 81, 8003, 8020] { try lab.listen(in: lab.server, port: port) }
        for port: UInt16 in [80, 81, 8003, 8020] { lab.waitForListener(in: lab.server, host: "198.51.100.254", port: port) }
        func connects(_ port: UInt16) -> Bool {
            if case .connected = lab.tcp(from: lab.client, to: "198.51.100.254", port: port) { return true }
            return false
        }
        // 81 is blocked by the first group although the range rule after it passes 80-90.
        #expect(!connects(81))
        #expect(connects(80))
        // The pass group: its tuples pass, anything else meets the default deny.
        #expect(connects(8003))
        #expect(!connects(8020))
        let set = try lab.firewall.exec(["nft", "list", "set", "inet", "tandem", "rules_if_lan_2"])
        let lines = set.split(separator: "\n")
        let hit = lines.first { $0.contains(". 8003 ") } ?? ""
        let idle = lines.first { $0.contains(". 8004 ") } ?? ""
        #expect(hit.contains("counter packets") && !hit.contains("counter packets 0 ") && hit.contains("pass 8003"), "\(set)")
        #expect(idle.contains("counter packets 0 bytes 0"), "\(set)")
    }
}
