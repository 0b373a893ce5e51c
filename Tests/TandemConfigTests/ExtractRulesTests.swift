import TandemAddress
import Testing
@testable import TandemConfig

@Suite struct ExtractRulesTests {
    @Test func everyFilterRuleField() throws {
        let rule = try parse("""
            <filter><rule><id></id><tracker>1545574416</tracker><type>block</type><interface>wan,lan</interface>
            <ipprotocol>inet46</ipprotocol><protocol>tcp/udp</protocol><icmptype>echoreq,unreach</icmptype>
            <source><address>192.0.2.0/24</address><port>1000-2000</port><not/></source>
            <destination><network>wanip</network><port>https_ports</port></destination>
            <descr><![CDATA[Block it]]></descr><disabled></disabled><log></log><floating>yes</floating><quick>yes</quick>
            <direction>out</direction><statetype><![CDATA[sloppy state]]></statetype><nopfsync/><nosync/>
            <gateway>WANGW</gateway><associated-rule-id>nat_5c0a4bd391375</associated-rule-id><sched>work</sched>
            <tag>t</tag><tagged>u</tagged><allowopts/><disablereplyto/><max>100</max><max-src-nodes>5</max-src-nodes>
            <max-src-conn>6</max-src-conn><max-src-states>7</max-src-states><statetimeout>60</statetimeout>
            <created><time>1545574416.5</time><username>admin@192.0.2.100 (Local Database)</username></created>
            <updated><time>1545574417</time><username>admin</username></updated></rule></filter>
            """).filterRules[0]
        #expect(rule.tracker == "1545574416")
        #expect(rule.action == .block)
        #expect(rule.interfaces == ["wan", "lan"])
        #expect(rule.ipProtocol == .inet46)
        #expect(rule.proto == .tcpUDP)
        #expect(rule.icmpTypes == ["echoreq", "unreach"])
        #expect(rule.source == RuleEndpoint(address: .network(IPNetwork("192.0.2.0/24")!), port: .range(1000, 2000), negated: true))
        #expect(rule.destination == RuleEndpoint(address: .interfaceAddress("wan"), port: .alias("https_ports")))
        #expect(rule.descr == "Block it")
        #expect(rule.disabled && rule.log && rule.floating && rule.quick && rule.isQuick)
        #expect(rule.direction == .out)
        #expect(rule.stateType == .sloppyState)
        #expect(rule.noPfsync && rule.noSync && rule.allowOptions && rule.disableReplyTo)
        #expect(rule.gateway == "WANGW")
        #expect(rule.associatedRuleID == "nat_5c0a4bd391375")
        #expect(rule.schedule == "work" && rule.tag == "t" && rule.tagged == "u")
        #expect([rule.maxStates, rule.maxSourceNodes, rule.maxSourceConnections, rule.maxSourceStates, rule.stateTimeout] == [100, 5, 6, 7, 60])
        #expect(rule.created == ChangeStamp(time: 1545574416.5, username: "admin@192.0.2.100 (Local Database)"))
        #expect(rule.updated?.time == 1545574417)
    }

    @Test func defaults() throws {
        let rule = try parse("<filter><rule><interface>lan</interface></rule></filter>").filterRules[0]
        #expect(rule.action == .pass)
        #expect(rule.ipProtocol == .inet)
        #expect(rule.proto == nil)
        #expect(rule.source.address == .any && rule.destination.address == .any)
        #expect(rule.stateType == .keepState)
        #expect(!rule.floating && rule.isQuick)
    }

    @Test(arguments: [
        ("<any/>", EndpointAddress.any), ("<network>lan</network>", .interfaceNetwork("lan")),
        ("<network>opt1ip</network>", .interfaceAddress("opt1")), ("<network>(self)</network>", .thisFirewall),
        ("<address>198.51.100.1</address>", .network(IPNetwork("198.51.100.1")!)),
        ("<address>2001:db8::/32</address>", .network(IPNetwork("2001:db8::/32")!)),
        ("<address>lan_netz</address>", .alias("lan_netz")), ("<network>_vip6925ce9a3c1e2</network>", .alias("_vip6925ce9a3c1e2")),
    ])
    func endpointKinds(_ xml: String, _ expected: EndpointAddress) throws {
        let rule = try parse("<filter><rule><interface>lan</interface><source>\(xml)</source></rule></filter>").filterRules[0]
        #expect(rule.source.address == expected)
    }

    @Test(arguments: [("443", PortSpec.port(443)), ("1000-2000", .range(1000, 2000)), ("1000:2000", .range(1000, 2000)),
                      ("80-80", .port(80)), ("web_ports", .alias("web_ports")), ("00080", .port(80)),
                      ("65535", .port(65535)), (" 443 ", .port(443)), ("1", .port(1))])
    func ports(_ text: String, _ expected: PortSpec) {
        #expect(PortSpec(text) == expected)
    }

    @Test(arguments: ["0", "65536", "20-10", "1-2-3", "9x", "000000", "123456", "99999", ""])
    func badPorts(_ text: String) {
        #expect(PortSpec(text) == nil)
    }

    @Test func aliasesAndNesting() throws {
        let config = try parse("""
            <aliases><alias><name>srv_admin</name><type>host</type><address>192.0.2.10 192.0.2.20-192.0.2.30 admin.vmlab.corp more_hosts</address>
            <descr>Admins</descr><detail><![CDATA[one||two||three||four]]></detail></alias>
            <alias><name>more_hosts</name><type>network</type><address>203.0.113.0/25 2001:db8:1::/48</address><nosync/></alias>
            <alias><name>port_ssh</name><type>port</type><address>22 2222:2230</address></alias>
            <alias><name>feed</name><type>urltable</type><url>https://192.0.2.1/list.txt</url><updatefreq>1</updatefreq></alias>
            </aliases>
            """)
        #expect(config.aliases.map(\.name) == ["srv_admin", "more_hosts", "port_ssh", "feed"])
        let admin = config.aliases[0]
        #expect(admin.kind == .host)
        #expect(admin.entries == [.network(IPNetwork("192.0.2.10")!), .range(IPAddress("192.0.2.20")!, IPAddress("192.0.2.30")!),
                                  .hostname("admin.vmlab.corp"), .alias("more_hosts")])
        #expect(admin.details == ["one", "two", "three", "four"])
        #expect(admin.nestedAliases == ["more_hosts"])
        #expect(config.aliases[1].noSync)
        #expect(config.aliases[2].entries == [.port(.port(22)), .port(.range(2222, 2230))])
        #expect(config.aliases[3].kind == .urltable && config.aliases[3].urls == ["https://192.0.2.1/list.txt"])
        #expect(config.aliases[3].updateFrequency == "1")
    }
}

/// A long rule list is read in two halves at once; the result must be the serial one.
@Suite struct ExtractManyRulesTests {
    @Test func aListReadInTwoHalvesKeepsOrderPathsAndIssuesInDocumentOrder() throws {
        let count = 3001
        var body = "<filter>"
        for i in 0..<count {
            // A bad number early and late: one issue from each half.
            let max = i == 7 || i == 2999 ? "<max>lots</max>" : ""
            body += "<rule><type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source>"
                + "<destination><any/><port>\(1000 + i)</port></destination><descr>r\(i)</descr>\(max)</rule>"
        }
        let config = try parse(body + "</filter>")
        #expect(config.filterRules.count == count)
        #expect(config.filterRules.map(\.descr) == (0..<count).map { "r\($0)" })
        #expect(config.filterRules[2000].location.path == "filter/rule[2001]")
        #expect(config.filterRules[2000].destination.port == .port(3000))
        let issues = config.issues.filter { $0.message.contains("'lots'") }.map(\.path)
        #expect(issues == ["filter/rule[8]/max", "filter/rule[3000]/max"])
    }
}
