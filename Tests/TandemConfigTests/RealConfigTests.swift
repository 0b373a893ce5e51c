import Testing
@testable import TandemConfig

/// What real exports hold that hand-written fixtures did not (issue #20): empty list
/// placeholders, implicit gateways, OPNsense's MVC models, and the places where pfSense and
/// OPNsense accept more than Tandem used to.
@Suite struct RealConfigTests {
    static let dhcpWAN = """
        <interfaces>
        <wan><enable></enable><if>wan0</if><descr>Uplink</descr><ipaddr>dhcp</ipaddr><ipaddrv6>dhcp6</ipaddrv6></wan>
        <lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
        <opt1><enable></enable><if>ovpnc1</if><descr>vpn</descr></opt1>
        <opt2><enable></enable><if>pppoe0</if><ipaddr>pppoe</ipaddr></opt2>
        <opt3><if>eth9</if><ipaddr>dhcp</ipaddr></opt3>
        </interfaces>
        """

    @Test func emptyListItemsAreSkipped() throws {
        let config = try parse("""
            <aliases><alias/></aliases><virtualip version="1.0.1"><vip/></virtualip>
            <staticroutes><route/></staticroutes><gateways><gateway_item/></gateways>
            <filter><rule/><rule><type>pass</type><interface>lan</interface></rule></filter>
            <nat><rule/><outbound><mode>hybrid</mode><rule/></outbound></nat>
            <dhcpd><lan><staticmap/></lan></dhcpd>
            """)
        #expect(config.aliases.isEmpty && config.virtualIPs.isEmpty && config.staticRoutes.isEmpty)
        #expect(config.gateways.isEmpty && config.portForwards.isEmpty && config.outboundNAT.rules.isEmpty)
        #expect(config.dhcpd.first?.staticMaps.isEmpty == true)
        // The rule after the placeholder keeps its element's path and number.
        #expect(config.filterRules.map(\.location.path) == ["filter/rule[2]"])
        #expect(config.filterRules.first?.number == 2)
        #expect(ConfigValidator.validate(config).isEmpty)
    }

    @Test func implicitGatewaysAreNamedAsPfSenseNamesThem() throws {
        let config = try parse("", interfaces: Self.dhcpWAN)
        #expect(config.implicitGateways.map(\.name) == ["UPLINK_DHCP", "UPLINK_DHCP6", "VPN_VPNV4", "VPN_VPNV6", "OPT2_PPPOE"])
        #expect(config.implicitGateways.allSatisfy { $0.address == .dynamic && $0.implicit })
        #expect(config.gateway(named: "UPLINK_DHCP")?.interface == "wan")
        #expect(config.gateway(named: "UPLINK_DHCP6")?.ipProtocol == .ipv6)
    }

    @Test func anExplicitDynamicGatewayReplacesTheImplicitOne() throws {
        let config = try parse("""
            <gateways><gateway_item><name>ISP</name><interface>wan</interface><gateway>dynamic</gateway><ipprotocol>inet</ipprotocol></gateway_item></gateways>
            """, interfaces: Self.dhcpWAN)
        #expect(!config.implicitGateways.map(\.name).contains("UPLINK_DHCP"))
        #expect(config.implicitGateways.map(\.name).contains("UPLINK_DHCP6"))
    }

    @Test func rulesAndRoutesNamingImplicitGatewaysValidate() throws {
        let found = try messages("""
            <staticroutes><route><network>203.0.113.0/24</network><gateway>UPLINK_DHCP</gateway></route></staticroutes>
            <filter><rule><type>pass</type><interface>lan</interface><gateway>VPN_VPNV4</gateway></rule></filter>
            """, interfaces: Self.dhcpWAN)
        #expect(found.filter { !$0.hasPrefix("warning:") } == [])
        #expect(found.contains("warning: staticroutes/route[1]/gateway: gateway 'UPLINK_DHCP' has no fixed address (it is learnt on interface 'wan', which Tandem does not address): the route is not installed"))
        // A disabled interface has none; a name nobody creates is still refused.
        #expect(try messages("<staticroutes><route><network>203.0.113.0/24</network><gateway>OPT3_DHCP</gateway></route></staticroutes>",
                             interfaces: Self.dhcpWAN).contains("staticroutes/route[1]/gateway: gateway 'OPT3_DHCP' is not defined in <gateways>"))
    }

    @Test func opnsenseMVCGatewaysWinOverTheLegacyList() throws {
        let mvc = """
            <gateways><gateway_item><name>OLD</name><interface>lan</interface><gateway>192.0.2.254</gateway></gateway_item></gateways>
            <OPNsense><Gateways version="1.0.0"><gateway_item uuid="u1"><disabled>0</disabled><name>NEW</name><interface>lan</interface>
            <gateway>192.0.2.253</gateway><ipprotocol>inet</ipprotocol></gateway_item></Gateways></OPNsense>
            """
        let config = try parse(mvc)
        #expect(config.gateways.map(\.name) == ["NEW"])
        #expect(config.gateways.first?.location.path == "OPNsense/Gateways/gateway_item[1]")
        // With no MVC item (only the placeholder), the legacy list is used.
        let legacy = try parse("""
            <gateways><gateway_item><name>OLD</name><interface>lan</interface><gateway>192.0.2.254</gateway></gateway_item></gateways>
            <OPNsense><Gateways version="1.0.0"><gateway_item/></Gateways></OPNsense>
            """)
        #expect(legacy.gateways.map(\.name) == ["OLD"])
    }

    @Test func opnsenseMVCAliasesAndRules() throws {
        let config = try parse("""
            <OPNsense><Firewall><Alias version="1.0.1"><aliases>
            <alias uuid="a1"><enabled>1</enabled><name>hosts</name><type>host</type><content>192.0.2.10
            printer</content><description>d</description></alias>
            <alias uuid="a2"><enabled>1</enabled><name>group</name><type>networkgroup</type><content>hosts</content></alias>
            <alias uuid="a3"><enabled>1</enabled><name>geo</name><type>geoip</type><content>NL</content></alias>
            </aliases></Alias>
            <Filter><rules>
            <rule uuid="r2"><sequence>20</sequence><action>block</action><interface>lan</interface><source_net>group</source_net></rule>
            <rule uuid="r1"><sequence>10</sequence><action>pass</action><interface>lan,wan</interface><direction>out</direction>
            <destination_net>lanip</destination_net><destination_not>1</destination_not><protocol>TCP</protocol><destination_port>443</destination_port></rule>
            </rules></Filter></Firewall></OPNsense>
            <filter><rule><type>pass</type><interface>lan</interface></rule></filter>
            """)
        #expect(config.aliases.map(\.name) == ["hosts", "group", "geo"])
        #expect(config.aliases[0].entries == [.network(.init("192.0.2.10")!), .hostname("printer")])
        #expect(config.aliases[1].entries == [.alias("hosts")])
        // Sequence order, before the legacy rule.
        #expect(config.filterRules.map(\.id) == ["r1", "r2", nil])
        let floating = config.filterRules[0]
        #expect(floating.floating && floating.direction == .out && floating.interfaces == ["lan", "wan"])
        #expect(floating.destination == RuleEndpoint(address: .interfaceAddress("lan"), port: .port(443), negated: true))
        #expect(!config.filterRules[1].floating && config.filterRules[1].source.address == .alias("group"))
        #expect(try messages("""
            <OPNsense><Firewall><Alias version="1.0.1"><aliases>
            <alias uuid="a3"><enabled>1</enabled><name>geo</name><type>geoip</type><content>NL</content></alias>
            </aliases></Alias></Firewall></OPNsense>
            """) == ["OPNsense/Firewall/Alias/aliases/alias[1]/type: 'geoip' is not an alias type (host, network, port, url, url_ports, urltable, urltable_ports)"])
    }

    @Test func syncAndCARPNeedOnlyTheDevice() throws {
        let interfaces = """
            <interfaces>
            <wan><enable></enable><if>wan0</if><ipaddr>dhcp</ipaddr></wan>
            <lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
            <opt1><enable></enable><if>sync0</if></opt1>
            </interfaces>
            """
        #expect(try messages("""
            <virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>3</vhid><password>p</password><subnet_bits>24</subnet_bits><subnet>198.51.100.1</subnet></vip></virtualip>
            <hasync><pfsyncenabled>on</pfsyncenabled><pfsyncinterface>opt1</pfsyncinterface></hasync>
            <nat><outbound><mode>advanced</mode></outbound></nat>
            """, interfaces: interfaces) == [
            "warning: interfaces/wan/ipaddr: addressing mode 'dhcp' is read but not applied: the interface gets no IPv4 address from Tandem",
            "warning: hasync/pfsyncinterface: sync interface 'opt1' has no static address: state sync is not started (Tandem binds it to that address)",
        ])
    }

    @Test func singleLabelHostNamesWarn() throws {
        #expect(try messages("<aliases><alias><name>storage</name><type>host</type><address>nas 192.0.2.9</address></alias></aliases>") == [
            "warning: aliases/alias[1]/address: host name 'nas' in alias 'storage' is read but not resolved yet",
        ])
        #expect(try messages("<aliases><alias><name>bad</name><type>host</type><address>-nas</address></alias></aliases>") == [
            "aliases/alias[1]/address: '-nas' is neither an address nor an alias",
        ])
    }
}
