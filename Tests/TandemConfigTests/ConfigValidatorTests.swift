import Testing
@testable import TandemConfig

@Suite struct ConfigValidatorTests {
    static let carpVIPs = """
        <virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>143</vhid><advskew>0</advskew><advbase>1</advbase>
        <password>secret</password><uniqid>6925ce9a3c1e2</uniqid><subnet_bits>24</subnet_bits><subnet>198.51.100.1</subnet></vip></virtualip>
        """
    static let hasync = "<hasync><pfsyncenabled>on</pfsyncenabled><pfsyncinterface>opt1</pfsyncinterface><pfsyncpeerip>203.0.113.2</pfsyncpeerip></hasync>"

    @Test func examplesAreClean() throws {
        let primary = ConfigCheck(bytes: try ConfigFileReader.read(examplePath("primaryfw.xml")))
        #expect(primary.diagnostics.isEmpty, "primaryfw.xml: \(primary.diagnostics)")
        // The secondary holds only node-local settings until the primary's first push
        // brings its CARP VIPs: state sync without VIPs is the one thing to say.
        let secondary = ConfigCheck(bytes: try ConfigFileReader.read(examplePath("secondaryfw.xml")))
        #expect(secondary.errors.isEmpty, "secondaryfw.xml: \(secondary.errors)")
        #expect(secondary.warnings.map(\.message) == ["state sync is enabled but there are no CARP VIPs"])
    }

    @Test func automaticOutboundNATInHAWarns() throws {
        #expect(try messages(Self.carpVIPs + Self.hasync + "<nat><outbound><mode>automatic</mode></outbound></nat>") == [
            "warning: nat/outbound/mode: outbound NAT mode is automatic in an HA config: connections will translate to this node's own address and break on failover; use hybrid or advanced with the CARP VIP as target",
        ])
        #expect(try messages(Self.carpVIPs + Self.hasync + "<nat><outbound><mode>advanced</mode></outbound></nat>") == [])
    }

    @Test func longCARPPasswordWarns() throws {
        let vip = Self.carpVIPs.replacingOccurrences(of: "<password>secret</password>", with: "<password>0123456789 abcdefghij</password>")
        #expect(try messages(vip) == ["warning: virtualip/vip[1]/password: CARP password is 20 bytes: only the first 19 are used"])
    }

    @Test(arguments: [
        ("<target>198.51.100.1</target>", [String]()),
        ("<target>198.51.100.2</target>", []),
        ("<target>wanip</target>", []),
        ("<target>198.51.100.8</target><target_subnet>29</target_subnet>", []),
        ("<target>_vip6925ce9a3c1e2</target>", []),
        // A routed block the node does not hold: pfSense and OPNsense accept it.
        ("<target>198.51.100.9</target>", []),
        ("<target>203.0.113.64</target><target_subnet>27</target_subnet>", []),
        ("<target>nat_pool</target>", ["nat/outbound/rule[1]/target: target 'nat_pool' is neither an address, a subnet, a virtual IP nor an alias"]),
    ])
    func outboundNATTargets(_ target: String, _ expected: [String]) throws {
        let body = Self.carpVIPs + "<nat><outbound><mode>advanced</mode><rule><interface>wan</interface><source><network>lan</network></source>\(target)</rule></outbound></nat>"
        #expect(try messages(body) == expected)
    }

    @Test func stackedIPAliasFollowsItsCARPVIP() throws {
        let body = Self.carpVIPs.replacingOccurrences(of: "</virtualip>", with: """
            <vip><mode>ipalias</mode><interface>_vip6925ce9a3c1e2</interface><uniqid>6925ce9a3c1f0</uniqid>
            <subnet_bits>32</subnet_bits><subnet>198.51.100.10</subnet></vip></virtualip>
            """)
        #expect(try messages(body) == [])
    }

    @Test func carpVIPOutsideInterfaceSubnetWarnsUnlessAnAliasCoversIt() throws {
        let outside = "<virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>9</vhid><password>p</password><subnet_bits>29</subnet_bits><subnet>203.0.113.129</subnet></vip></virtualip>"
        #expect(try messages(outside) == [
            "warning: virtualip/vip[1]/subnet: CARP VIP 203.0.113.129 is not inside the subnet 198.51.100.0/24 of interface 'wan' nor an IP alias subnet there; it is added with its own prefix",
        ])
        let covered = outside.replacingOccurrences(of: "</virtualip>", with: "<vip><mode>ipalias</mode><interface>wan</interface><subnet_bits>29</subnet_bits><subnet>203.0.113.130</subnet></vip></virtualip>")
        #expect(try messages(covered) == [])
    }

    @Test func hasyncChecks() throws {
        #expect(try messages("<hasync><pfsyncenabled>on</pfsyncenabled></hasync>") == [
            "hasync/pfsyncenabled: state sync is enabled but <pfsyncinterface> is not set",
            "warning: hasync/pfsyncenabled: state sync is enabled but there are no CARP VIPs",
        ])
        #expect(try messages("<hasync><synchronizetoip>203.0.113.2</synchronizetoip><pfsyncinterface>opt1</pfsyncinterface></hasync>") == [
            "hasync/password: XML-RPC sync to 203.0.113.2 needs a <password>",
        ])
        #expect(try messages("<hasync><pfhostid>0</pfhostid><synchronizefoo>on</synchronizefoo></hasync>") == [
            "hasync/pfhostid: pfhostid '0' is not a non-zero hex number of at most 8 digits",
            "warning: hasync/synchronizefoo: sync toggle <synchronizefoo> is not one pfSense knows: kept but ignored",
        ])
    }

    @Test func aliasChecks() throws {
        #expect(try messages("""
            <aliases><alias><name>a-b</name><type>host</type><address>192.0.2.1</address></alias>
            <alias><name>lan</name><type>host</type><address>bad_host 192.0.2.9-192.0.2.1</address></alias>
            <alias><name>hosts</name><type>host</type><address>db.vmlab.corp</address></alias>
            <alias><name>hosts</name><type>colour</type></alias>
            <alias><name>ports</name><type>port</type><address>hosts</address></alias></aliases>
            """) == [
            "aliases/alias[1]/name: 'a-b' is not a valid alias name: only a-z, A-Z, 0-9 and _ are allowed",
            "aliases/alias[2]/name: alias name 'lan' is also an interface name",
            // One label is a host name to pfSense (`is_hostname()`), resolved by filterdns.
            "warning: aliases/alias[2]/address: host name 'bad_host' in alias 'lan' is read but not resolved yet",
            "aliases/alias[2]/address: '192.0.2.9-192.0.2.1' is not an address range (start after end or mixed families)",
            "warning: aliases/alias[3]/address: host name 'db.vmlab.corp' in alias 'hosts' is read but not resolved yet",
            "aliases/alias[4]/name: alias name 'hosts' is used twice",
            "aliases/alias[4]/type: 'colour' is not an alias type (host, network, port, url, url_ports, urltable, urltable_ports)",
            "aliases/alias[5]/address: alias 'hosts' is an address alias and cannot be nested in a port alias",
        ])
    }

    @Test func threeAliasCycleIsReportedOnce() throws {
        #expect(try messages("""
            <aliases><alias><name>a</name><type>network</type><address>b</address></alias>
            <alias><name>b</name><type>network</type><address>c</address></alias>
            <alias><name>c</name><type>network</type><address>a 192.0.2.0/24</address></alias></aliases>
            """) == ["aliases/alias[1]/address: alias 'a' includes itself: a -> b -> c -> a"])
    }

    @Test func dhcpChecks() throws {
        let vip = "<virtualip><vip><mode>carp</mode><interface>lan</interface><vhid>1</vhid><password>p</password><subnet_bits>24</subnet_bits><subnet>192.0.2.1</subnet></vip></virtualip>"
        #expect(try messages(vip + "<dhcpd><lan><enable/><range><from>192.0.2.199</from><to>192.0.2.100</to></range><failover_peerip>192.0.2.2</failover_peerip></lan></dhcpd>") == [
            "dhcpd/lan/range/from: range starts at 192.0.2.199, after its end 192.0.2.100",
            "dhcpd/lan/failover_peerip: failover peer 192.0.2.2 is this node's own address",
        ])
        #expect(try messages("<dhcpd><lan><enable/><range><from>192.0.2.100</from><to>192.0.2.199</to></range><failover_peerip>192.0.2.3</failover_peerip></lan></dhcpd>") == [
            "warning: dhcpd/lan/failover_peerip: DHCP failover on 'lan' without a CARP VIP there: no failover role can be chosen",
        ])
        // A disabled scope is data only.
        #expect(try messages("<dhcpd><lan><range><from>203.0.113.1</from><to>203.0.113.2</to></range></lan></dhcpd>") == [])
    }

    /// DHCP and resolver settings Tandem reads but does not apply each get a positioned
    /// warning; bad override and access-list values are positioned errors.
    @Test func serviceSettingsReadButNotApplied() throws {
        #expect(try messages("""
            <dhcpd><lan><enable/><range><from>192.0.2.100</from><to>192.0.2.199</to></range>
            <mac_allow>00:00:5e:00:53:01</mac_allow><numberoptions><item><number>66</number><type>text</type><value>tftp</value></item></numberoptions>
            <netboot/><winsserver>wins</winsserver></lan></dhcpd>
            <unbound><enable/><domainoverrides><domain>corp.example</domain><ip>198.51.100.53</ip><forward_tls_upstream/></domainoverrides>
            <domainoverrides><domain>bad.example</domain><ip>198.51.100.53@0</ip></domainoverrides>
            <hosts><host>a</host><domain>example.com</domain><ip>192.0.2.9,nope</ip></hosts>
            <acls><aclname>empty</aclname><aclaction>refuse</aclaction></acls><acls><aclname>x</aclname><aclaction>drop</aclaction></acls></unbound>
            """) == [
            "warning: dhcpd/lan/mac_allow: MAC allow/deny lists are read but not applied: every client is served",
            "warning: dhcpd/lan/numberoptions: 1 custom DHCP option(s) are read but not applied",
            "warning: dhcpd/lan/netboot: network booting is on without a next server, file name or root path: nothing is handed out",
            "dhcpd/lan/winsserver: 'wins' is not an IPv4 address",
            "warning: unbound/domainoverrides[1]/forward_tls_upstream: DNS over TLS to the override's server is read but not applied: queries for corp.example go to 198.51.100.53 in plain DNS",
            "unbound/domainoverrides[2]/ip: '0' in '198.51.100.53@0' is not a port (1-65535)",
            "unbound/hosts[1]/ip: 'nope' is not an IP address",
            "warning: unbound/acls[1]/row: access list 'empty' has no network: it changes nothing",
            "unbound/acls[2]/aclaction: 'drop' is not one of 'allow', 'deny', 'refuse', 'allow snoop', 'deny nonlocal', 'refuse nonlocal'",
        ])
    }

    @Test func ruleWarnings() throws {
        #expect(try messages("""
            <filter><rule><interface>lan</interface><tracker>7</tracker><destination><any/><port>22</port></destination><sched>night</sched></rule>
            <rule><interface>lan</interface><tracker>7</tracker><direction>in</direction><icmptype>echoreq</icmptype><protocol>tcp</protocol></rule></filter>
            """) == [
            "warning: filter/rule[1]/destination/port: ports are ignored: protocol is any, not tcp or udp",
            "warning: filter/rule[2]/tracker: tracker 7 is also used by filter/rule[1]: counters and kernel errors cannot tell these rules apart",
            "warning: filter/rule[2]/direction: <direction> only applies to floating rules",
            "warning: filter/rule[2]/icmptype: <icmptype> is ignored: protocol is tcp, not icmp",
        ])
    }

    @Test func diagnosticsFormat() {
        let e = ConfigDiagnostic(.error, path: "filter/rule[3]/source/address", position: SourcePosition(line: 120, column: 7),
                                 message: "'lan_netz' is neither an address nor an alias")
        #expect(e.formatted(file: "config.xml") == "config.xml:120:7: filter/rule[3]/source/address: 'lan_netz' is neither an address nor an alias")
        let w = ConfigDiagnostic(.warning, path: "hasync", position: nil, message: "m")
        #expect(w.formatted(file: "f.xml") == "f.xml: warning: hasync: m")
    }

    @Test func pseudoInterfacesAndGroupsWarn() throws {
        #expect(try messages("""
            <ifgroups><ifgroupentry><ifname>INSIDE</ifname><members>lan opt1</members></ifgroupentry></ifgroups>
            <filter><rule><interface>enc0</interface></rule><rule><interface>INSIDE</interface></rule><rule><interface>opt9</interface></rule></filter>
            """) == [
            "warning: filter/rule[1]/interface: interface 'enc0' is an interface tab Tandem does not provide: read but not applied",
            "warning: filter/rule[2]/interface: interface 'INSIDE' is an interface group: read but not applied",
            "filter/rule[3]/interface: interface 'opt9' is not defined in <interfaces>",
        ])
    }
}
