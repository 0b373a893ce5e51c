import TandemAddress
import Testing
@testable import TandemConfig

@Suite struct ExtractNATTests {
    func target(_ xml: String) throws -> OutboundNATTarget {
        try parse("<nat><outbound><mode>advanced</mode><rule><interface>wan</interface>\(xml)</rule></outbound></nat>")
            .outboundNAT.rules[0].target
    }

    /// Both spellings of §6.1 normalise to one value, whatever `<version>` says.
    @Test(arguments: [
        // before 23.0
        ("<target></target><targetip></targetip><targetip_subnet></targetip_subnet>", OutboundNATTarget.interfaceAddress(nil)),
        ("<target>198.51.100.1</target><targetip/><targetip_subnet>0</targetip_subnet>", .address(IPAddress("198.51.100.1")!)),
        ("<target>other-subnet</target><targetip>198.51.100.8</targetip><targetip_subnet>29</targetip_subnet>", .network(IPNetwork("198.51.100.8/29")!)),
        ("<target>other-subnet</target><targetip>198.51.100.9</targetip><targetip_subnet>32</targetip_subnet>", .address(IPAddress("198.51.100.9")!)),
        // 23.0 and later
        ("<target>wanip</target><target_subnet></target_subnet>", .interfaceAddress("wan")),
        ("<target>198.51.100.1</target><target_subnet></target_subnet>", .address(IPAddress("198.51.100.1")!)),
        ("<target>198.51.100.8</target><target_subnet>29</target_subnet>", .network(IPNetwork("198.51.100.8/29")!)),
        ("<target>nat_pool</target>", .alias("nat_pool")),
        ("", .interfaceAddress(nil)),
    ])
    func outboundTargets(_ xml: String, _ expected: OutboundNATTarget) throws {
        #expect(try target(xml) == expected)
    }

    @Test func outboundRuleFields() throws {
        let nat = try parse("""
            <nat><outbound><mode>hybrid</mode><rule><source><network>192.0.2.0/24</network></source><sourceport>1024:65535</sourceport>
            <descr><![CDATA[LAN out]]></descr><target>198.51.100.1</target><interface>wan</interface><poolopts>round-robin</poolopts>
            <source_hash_key>0x1234</source_hash_key><natport>5000</natport><staticnatport/><nonat/><eimnat/><disabled/><nosync/>
            <ipprotocol>inet</ipprotocol><protocol>udp</protocol><destination><network>203.0.113.0/24</network><not/></destination>
            <dstport>500</dstport></rule></outbound></nat>
            """).outboundNAT
        #expect(nat.mode == .hybrid && nat.rulesApply)
        let r = nat.rules[0]
        #expect(r.location.path == "nat/outbound/rule[1]")
        #expect(r.source == .network(IPNetwork("192.0.2.0/24")!))
        #expect(r.sourcePort == .range(1024, 65535))
        #expect(r.destination == .network(IPNetwork("203.0.113.0/24")!) && r.destinationNegated)
        #expect(r.destinationPort == .port(500))
        #expect(r.poolOptions == "round-robin" && r.sourceHashKey == "0x1234" && r.natPort == .port(5000))
        #expect(r.staticNATPort && r.noNAT && r.endpointIndependent && r.disabled && r.noSync)
        #expect(r.ipProtocol == .inet && r.proto == .udp && r.descr == "LAN out")
    }

    /// Config < 10.3: `<advancedoutbound>` means mode advanced (`upgrade_102_to_103()`).
    @Test func legacyAdvancedOutbound() throws {
        let nat = try parse("""
            <nat><advancedoutbound><enable/><rule><interface>wan</interface><source><network>192.0.2.0/24</network></source>
            <destination><any/></destination><target>198.51.100.1</target></rule></advancedoutbound><ipsecpassthru/></nat>
            """, version: "9.8").outboundNAT
        #expect(nat.mode == .advanced)
        #expect(nat.legacyAdvancedOutbound)
        #expect(nat.rules.map(\.target) == [.address(IPAddress("198.51.100.1")!)])
        #expect(try parse("<nat><ipsecpassthru/></nat>", version: "9.8").outboundNAT.mode == .automatic)
        #expect(try parse("").outboundNAT.mode == .automatic)
    }

    @Test func portForwards() throws {
        let pf = try parse("""
            <nat><rule><source><any/></source><destination><network>wanip</network><port>443</port></destination>
            <ipprotocol>inet</ipprotocol><protocol>tcp</protocol><target>192.0.2.10</target><local-port>8443</local-port>
            <interface>wan</interface><descr><![CDATA[web]]></descr><associated-rule-id>pass</associated-rule-id>
            <natreflection>purenat</natreflection><nosync/></rule>
            <rule><interface>wan</interface><destination><address>198.51.100.1</address><port>22</port></destination>
            <target>srv_admin</target><nordr/><disabled/></rule></nat>
            """).portForwards
        #expect(pf.count == 2)
        #expect(pf[0].destination == RuleEndpoint(address: .interfaceAddress("wan"), port: .port(443)))
        #expect(pf[0].target == .network(IPNetwork("192.0.2.10")!) && pf[0].localPort == .port(8443))
        #expect(pf[0].associatedRuleID == "pass" && pf[0].natReflection == "purenat" && pf[0].noSync)
        #expect(pf[1].target == .alias("srv_admin") && pf[1].noRedirect && pf[1].disabled)
        #expect(pf[1].location.path == "nat/rule[2]")
    }
}
