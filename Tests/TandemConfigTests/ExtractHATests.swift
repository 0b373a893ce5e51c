import TandemAddress
import Testing
@testable import TandemConfig

@Suite struct ExtractHATests {
    @Test func virtualIPs() throws {
        let config = try parse("""
            <virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>143</vhid><advskew>0</advskew><advbase>1</advbase>
            <password><![CDATA[secret]]></password><uniqid>6925ce9a3c1e2</uniqid><descr><![CDATA[WAN VIP]]></descr>
            <type>single</type><subnet_bits>24</subnet_bits><subnet>198.51.100.1</subnet></vip>
            <vip><mode>ipalias</mode><interface>_vip6925ce9a3c1e2</interface><uniqid>6925ce9a3c1f0</uniqid><subnet_bits>32</subnet_bits>
            <subnet>198.51.100.10</subnet></vip>
            <vip><mode>proxyarp</mode><interface>wan</interface><subnet>198.51.100.64</subnet><subnet_bits>28</subnet_bits><type>network</type><noexpand/></vip>
            <vip uuid="abc"><mode>other</mode><interface>lan</interface><subnet>192.0.2.50</subnet><subnet_bits>32</subnet_bits><nosync>1</nosync>
            <peer>192.0.2.3</peer></vip>
            </virtualip><virtualip_carp_maintenancemode></virtualip_carp_maintenancemode>
            """)
        let v = config.virtualIPs
        #expect(v.map(\.mode) == [.carp, .ipalias, .proxyarp, .other])
        #expect(v[0].attachment == .interface("wan"))
        #expect(v[0].vhid == 143 && v[0].advskew == 0 && v[0].advbase == 1 && v[0].password == "secret")
        #expect(v[0].network == IPNetwork("198.51.100.1/24"))
        #expect(v[0].descr == "WAN VIP" && v[0].type == "single" && v[0].uniqid == "6925ce9a3c1e2")
        #expect(v[1].attachment == .stacked(uniqid: "6925ce9a3c1e2"))
        #expect(v[1].interfaceName(in: config) == "wan")
        #expect(v[2].noExpand)
        #expect(v[3].uniqid == "abc" && v[3].noSync && v[3].peer == IPAddress("192.0.2.3"))
        #expect(config.carpVIPs.count == 1)
        #expect(config.carpMaintenanceMode)
        #expect(try parse("").carpMaintenanceMode == false)
    }

    @Test func pfSenseHASync() throws {
        let h = try #require(try parse("""
            <hasync><pfsyncenabled>on</pfsyncenabled><pfsyncinterface>opt1</pfsyncinterface><pfsyncpeerip>203.0.113.2</pfsyncpeerip>
            <pfhostid>1a2b</pfhostid><synchronizetoip>203.0.113.2</synchronizetoip><username><![CDATA[admin]]></username>
            <password><![CDATA[s p]]></password><adminsync>on</adminsync><new_password>n</new_password>
            <synchronizerules>on</synchronizerules><synchronizenat>on</synchronizenat><synchronizewidgets>on</synchronizewidgets></hasync>
            """).hasync)
        #expect(h.pfsyncEnabled && h.pfsyncInterface == "opt1")
        #expect(h.pfsyncUnicastPeer == IPAddress("203.0.113.2"))
        #expect(h.pfHostID == "1a2b" && h.synchronizeToAddress == IPAddress("203.0.113.2") && h.pushesConfig)
        #expect(h.username == "admin" && h.password == "s p" && h.adminSync && h.newPassword == "n")
        #expect(h.toggles.map(\.name) == ["synchronizerules", "synchronizenat", "synchronizewidgets"])
        #expect(h.isEnabled("synchronizerules") && !h.isEnabled("synchronizealiases"))
        #expect(h.modelVersion == nil)
    }

    @Test func secondaryHASyncAndMulticast() throws {
        let h = try #require(try parse("""
            <hasync><pfsyncenabled>on</pfsyncenabled><pfsyncinterface>opt1</pfsyncinterface><pfsyncpeerip>224.0.0.240</pfsyncpeerip>
            <synchronizetoip></synchronizetoip><username></username><password></password></hasync>
            """).hasync)
        #expect(h.pfsyncUnicastPeer == nil)
        #expect(!h.pushesConfig && h.effectiveUsername == "admin" && h.password == nil)
    }

    /// OPNsense ≥ 24.7 MVC form: explicit 0/1.
    @Test func opnsenseMVCHASync() throws {
        let h = try #require(try parse("""
            <hasync version="1.0.2"><disablepreempt>0</disablepreempt><disconnectppps>1</disconnectppps><pfsyncenabled>1</pfsyncenabled>
            <pfsyncinterface>opt1</pfsyncinterface><pfsyncpeerip>203.0.113.2</pfsyncpeerip><pfsyncversion>1400</pfsyncversion>
            <synchronizetoip>https://203.0.113.2/</synchronizetoip><verifypeer>0</verifypeer><username>root</username>
            <password>x</password><syncitems>aliases,nat,rules</syncitems><pfsyncdefer>0</pfsyncdefer></hasync>
            """).hasync)
        #expect(h.modelVersion == "1.0.2")
        #expect(h.pfsyncEnabled && !h.disablePreempt && h.disconnectPPPs && !h.verifyPeer && !h.pfsyncDefer)
        #expect(h.pfsyncVersion == "1400" && h.syncItems == ["aliases", "nat", "rules"])
        #expect(h.synchronizeToAddress == nil && h.pushesConfig)
    }

    @Test func dhcpAndUnbound() throws {
        let config = try parse("""
            <dhcpd><lan><enable/><range><from>192.0.2.100</from><to>192.0.2.199</to></range><gateway>192.0.2.1</gateway>
            <dnsserver>192.0.2.1</dnsserver><domain>vmlab.corp</domain><failover_peerip>192.0.2.3</failover_peerip>
            <defaultleasetime>7200</defaultleasetime><maxleasetime></maxleasetime><denyunknown/><ntpserver>192.0.2.1</ntpserver>
            <staticmap><mac>00:00:5e:00:53:01</mac><ipaddr>192.0.2.50</ipaddr><hostname>printer</hostname><descr>P</descr></staticmap></lan>
            <opt1><range><from></from><to></to></range><failover_peerip></failover_peerip></opt1></dhcpd>
            <unbound><enable/><dnssec/><forwarding/><regdhcp/><regdhcpstatic/><hideidentity/><hideversion/><dnssecstripped/>
            <qname-minimisation/><port>5353</port><active_interface>lan,opt1</active_interface><outgoing_interface>all</outgoing_interface></unbound>
            """)
        let lan = try #require(config.dhcpScope(interface: "lan"))
        #expect(lan.enabled && lan.denyUnknown)
        #expect(lan.range == DHCPScope.Range(from: IPv4Address("192.0.2.100")!, to: IPv4Address("192.0.2.199")!))
        #expect(lan.gateway == IPv4Address("192.0.2.1") && lan.dnsServers == [IPv4Address("192.0.2.1")!])
        #expect(lan.failoverPeer == IPv4Address("192.0.2.3") && lan.defaultLeaseTime == 7200 && lan.maxLeaseTime == nil)
        #expect(lan.staticMaps.map(\.hostname) == ["printer"] && lan.staticMaps[0].location.path == "dhcpd/lan/staticmap[1]")
        let opt1 = try #require(config.dhcpScope(interface: "opt1"))
        #expect(!opt1.enabled && opt1.range == nil && opt1.failoverPeer == nil)
        let u = try #require(config.unbound)
        #expect(u.enabled && u.dnssec && u.forwarding && u.registerDHCP && u.registerDHCPStatic)
        #expect(u.hideIdentity && u.hideVersion && u.dnssecStripped && u.qnameMinimisation)
        #expect(u.effectivePort == 5353 && u.activeInterfaces == ["lan", "opt1"] && u.outgoingInterfaces.isEmpty)
    }

    @Test func revision() throws {
        let r = try parse("<revision><time>1764151300</time><description><![CDATA[Merged in config]]></description><username>xmlrpc</username></revision>").revision
        #expect(r == ChangeStamp(time: 1764151300, username: "xmlrpc", description: "Merged in config"))
    }
}
