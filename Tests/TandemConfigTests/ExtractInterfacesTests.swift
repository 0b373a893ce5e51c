import TandemAddress
import Testing
@testable import TandemConfig

@Suite struct ExtractInterfacesTests {
    @Test func staticAndDynamicAddressing() throws {
        let config = try parse("", interfaces: """
            <interfaces>
            <wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>WANGW</gateway>
            <ipaddrv6>2001:db8::2</ipaddrv6><subnetv6>64</subnetv6><blockpriv></blockpriv><blockbogons>1</blockbogons></wan>
            <lan><if>lan0</if><descr><![CDATA[Inside]]></descr><ipaddr>dhcp</ipaddr><ipaddrv6>track6</ipaddrv6></lan>
            <opt7><enable>1</enable><if>igb0.100</if><ipaddr></ipaddr><mtu>1400</mtu></opt7>
            </interfaces>
            """)
        #expect(config.interfaces.map(\.name) == ["wan", "lan", "opt7"])
        let wan = try #require(config.interface(named: "wan"))
        #expect(wan.enabled && wan.blockPrivate && wan.blockBogons)
        #expect(wan.ipv4 == .static(IPNetwork("198.51.100.2/24")!))
        #expect(wan.ipv6 == .static(IPNetwork("2001:db8::2/64")!))
        #expect(wan.gateway == "WANGW")
        let lan = try #require(config.interface(named: "lan"))
        #expect(!lan.enabled)
        #expect(lan.displayName == "Inside")
        #expect(lan.ipv4 == .dynamic("dhcp"))
        #expect(lan.ipv6 == .dynamic("track6"))
        let opt7 = try #require(config.interface(named: "opt7"))
        #expect(opt7.ipv4 == InterfaceAddressing.none)
        #expect(opt7.mtu == 1400)
        #expect(opt7.displayName == "OPT7")
        #expect(config.issues.isEmpty)
    }

    @Test(arguments: [
        ("<ipaddr>192.0.2.300</ipaddr><subnet>24</subnet>", "interfaces/lan/ipaddr: '192.0.2.300' is neither an IPv4 address nor one of dhcp, l2tp, ppp, pppoe, pptp"),
        ("<ipaddr>192.0.2.2</ipaddr>", "interfaces/lan/ipaddr: static address 192.0.2.2 has no <subnet> prefix length"),
        ("<ipaddr>192.0.2.2</ipaddr><subnet>33</subnet>", "interfaces/lan/subnet: '33' is not a prefix length (0-32)"),
    ])
    func badAddressing(_ xml: String, _ message: String) throws {
        let config = try parse("", interfaces: "<interfaces><lan><if>lan0</if>\(xml)</lan></interfaces>")
        #expect(config.issues.map { "\($0.path): \($0.message)" } == [message])
    }

    @Test func gatewaysAndRoutes() throws {
        let config = try parse("""
            <gateways><gateway_item><interface>wan</interface><gateway>198.51.100.254</gateway><name>WANGW</name>
            <weight>1</weight><ipprotocol>inet</ipprotocol><monitor_disable/><descr>up</descr></gateway_item>
            <gateway_item><interface>wan</interface><gateway>dynamic</gateway><name>WAN_DHCP6</name><ipprotocol>inet6</ipprotocol></gateway_item>
            <gateway_group><name>FAILOVER</name></gateway_group>
            <defaultgw4>WANGW</defaultgw4></gateways>
            <staticroutes><route><network>203.0.113.128/25</network><gateway>WANGW</gateway><descr>far</descr></route>
            <route><network>remote_nets</network><gateway>FAILOVER</gateway><disabled/></route></staticroutes>
            """)
        #expect(config.gateways.map(\.name) == ["WANGW", "WAN_DHCP6"])
        #expect(config.gateways[0].address == .ip(IPAddress("198.51.100.254")!))
        #expect(config.gateways[0].ipProtocol == .ipv4 && config.gateways[0].monitorDisabled)
        #expect(config.gateways[1].address == .dynamic)
        #expect(config.gatewayGroups == ["FAILOVER"])
        #expect(config.defaultGatewayV4 == "WANGW")
        #expect(config.staticRoutes.map(\.network) == [.network(IPNetwork("203.0.113.128/25")!), .alias("remote_nets")])
        #expect(config.staticRoutes[1].disabled)
    }
}
