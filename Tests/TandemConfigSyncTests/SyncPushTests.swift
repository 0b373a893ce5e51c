import Testing
import TandemAddress
import TandemConfig
import TandemConfigSync

/// What a primary sends (`rc.filter_synchronize`), and the whole trip primary → codec →
/// secondary.
@Suite struct SyncPushTests {
    static func primary(hasync: String = SyncPushTests.hasync, webgui: String = "<webgui><protocol>https</protocol></webgui>",
                        extra: String = "") throws -> ConfigDocument {
        try ConfigDocument(text: """
            <?xml version="1.0"?>
            <pfsense>
            \t<version>23.3</version>
            \t<system><hostname>primaryfw</hostname>\(webgui)
            \t\t<group><name>admins</name><gid>1999</gid><scope>system</scope><member>0</member><priv>page-all</priv></group>
            \t\t<user><name>admin</name><uid>0</uid><scope>system</scope><groupname>admins</groupname><bcrypt-hash>$2y$10$p</bcrypt-hash></user>
            \t\t<user><name>john</name><uid>2000</uid><scope>user</scope><bcrypt-hash>$2y$10$j</bcrypt-hash></user>
            \t\t<nextuid>2001</nextuid><nextgid>2000</nextgid>
            \t</system>
            \t<interfaces>
            \t\t<wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet></wan>
            \t\t<lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
            \t\t<opt1><enable></enable><if>sync0</if><ipaddr>203.0.113.1</ipaddr><subnet>30</subnet></opt1>
            \t</interfaces>
            \t\(hasync)
            \t<filter>
            \t\t<rule><type>pass</type><interface>lan</interface><tracker>1</tracker><descr><![CDATA[synced]]></descr></rule>
            \t\t<rule><type>pass</type><interface>lan</interface><tracker>2</tracker><nosync></nosync><descr><![CDATA[local only]]></descr></rule>
            \t</filter>
            \t<aliases><alias><name>web</name><type>host</type><address>192.0.2.10</address></alias></aliases>
            \t<virtualip>
            \t\t<vip><mode>carp</mode><interface>wan</interface><vhid>143</vhid><advskew>0</advskew><advbase>1</advbase><password>s</password><subnet>198.51.100.1</subnet><subnet_bits>24</subnet_bits><uniqid>wanvip</uniqid></vip>
            \t\t<vip><mode>carp</mode><interface>lan</interface><vhid>1</vhid><advskew>200</advskew><advbase>300</advbase><password>s</password><subnet>192.0.2.1</subnet><subnet_bits>24</subnet_bits><uniqid>lanvip</uniqid></vip>
            \t\t<vip><mode>ipalias</mode><interface>wan</interface><subnet>198.51.100.50</subnet><subnet_bits>24</subnet_bits></vip>
            \t\t<vip><mode>ipalias</mode><interface>_vipwanvip</interface><subnet>198.51.100.60</subnet><subnet_bits>24</subnet_bits></vip>
            \t</virtualip>
            \t<dhcpd><lan><enable></enable><range><from>192.0.2.100</from><to>192.0.2.199</to></range><failover_peerip>192.0.2.3</failover_peerip></lan></dhcpd>
            \t<kea><ha><role>primary</role><localname>primaryfw</localname><localip>192.0.2.2</localip><localport>8000</localport><remoteip>192.0.2.3</remoteip><remoteport>8001</remoteport><tls></tls><scertref>c1</scertref></ha></kea>
            \(extra)
            </pfsense>
            """)
    }

    static let hasync = """
        <hasync><pfsyncenabled>on</pfsyncenabled><synchronizetoip>203.0.113.2</synchronizetoip><username>admin</username>
        <password><![CDATA[s3cret]]></password><synchronizerules>on</synchronizerules><synchronizealiases>on</synchronizealiases>
        <synchronizevirtualip>on</synchronizevirtualip><synchronizedhcpd>on</synchronizedhcpd><synchronizeusers>on</synchronizeusers></hasync>
        """

    @Test func noPlanOnASecondaryOrWithoutToggles() throws {
        #expect(SyncPush.plan(try Self.primary(hasync: "<hasync><synchronizetoip></synchronizetoip><synchronizerules>on</synchronizerules></hasync>")) == nil)
        #expect(SyncPush.plan(try Self.primary(hasync: "<hasync><synchronizetoip>203.0.113.2</synchronizetoip></hasync>")) == nil)
    }

    @Test(arguments: [
        ("<webgui><protocol>https</protocol></webgui>", "203.0.113.2", "https://203.0.113.2:443/xmlrpc.php"),
        ("<webgui><protocol>http</protocol></webgui>", "203.0.113.2", "http://203.0.113.2:80/xmlrpc.php"),
        ("<webgui><protocol>https</protocol><port>8443</port></webgui>", "203.0.113.2", "https://203.0.113.2:8443/xmlrpc.php"),
        ("<webgui><protocol>http</protocol><port>443</port></webgui>", "203.0.113.2", "https://203.0.113.2:443/xmlrpc.php"),
        ("<webgui></webgui>", "2001:db8::2", "https://[2001:db8::2]:443/xmlrpc.php"),
        ("<webgui></webgui>", "https://203.0.113.2:4443/", "https://203.0.113.2:4443/xmlrpc.php"),
        ("<webgui></webgui>", "http://[2001:db8::2]:8080/xmlrpc.php", "http://[2001:db8::2]:8080/xmlrpc.php"),
    ])
    func targetFollowsTheLocalWebGUI(_ webgui: String, _ peer: String, _ url: String) throws {
        let hasync = Self.hasync.replacingOccurrences(of: "203.0.113.2</synchronizetoip>", with: "\(peer)</synchronizetoip>")
        let plan = try #require(SyncPush.plan(try Self.primary(hasync: hasync, webgui: webgui)))
        #expect(plan.target.description == url)
        #expect(plan.target.username == "admin")
        #expect(plan.target.password == "s3cret")
    }

    @Test func defaultUserIsAdmin() throws {
        let hasync = Self.hasync.replacingOccurrences(of: "<username>admin</username>", with: "<username></username>")
        #expect(SyncPush.plan(try Self.primary(hasync: hasync))?.target.username == "admin")
    }

    @Test func payloadAsPfSenseSendsIt() throws {
        let plan = try #require(SyncPush.plan(try Self.primary()))
        #expect(plan.sections == ["system/user", "system/nextuid", "system/group", "system/nextgid", "virtualip", "filter", "aliases", "dhcpd", "kea"])
        #expect(plan.payload.members?.map(\.name) == ["system", "virtualip", "filter", "aliases", "dhcpd", "kea"])
        #expect(plan.restoreCall.params.last == .int(900))

        // nosync rule stays home.
        let rules = plan.payload[member: "filter"]?[member: "rule"]?.items ?? []
        #expect(rules.map { $0[member: "tracker"] } == [.string("1")])
        // VIPs: advskew + 100 capped at 254, advbase capped, the WAN IP alias stays home.
        let vips = plan.payload[member: "virtualip"]?[member: "vip"]?.items ?? []
        #expect(vips.map { $0[member: "subnet"] } == [.string("198.51.100.1"), .string("192.0.2.1"), .string("198.51.100.60")])
        #expect(vips.map { $0[member: "advskew"] } == [.int(100), .int(254), nil])
        #expect(vips.map { $0[member: "advbase"] } == [.int(1), .int(254), nil])
        // failover_peerip points back at the primary's own LAN address.
        #expect(plan.payload[member: "dhcpd"]?[member: "lan"]?[member: "failover_peerip"] == .string("192.0.2.2"))
        // Kea HA swapped, local TLS settings not sent.
        let ha = try #require(plan.payload[member: "kea"]?[member: "ha"])
        #expect(ha[member: "role"] == .string("standby"))
        #expect(ha[member: "localip"] == .string("192.0.2.3"))
        #expect(ha[member: "remoteip"] == .string("192.0.2.2"))
        #expect(ha[member: "localport"] == .string("8001"))
        #expect(ha[member: "remotename"] == .string("primaryfw"))
        #expect(ha[member: "localname"] == nil && ha[member: "tls"] == nil && ha[member: "scertref"] == nil)
        // Users and groups under system.
        let system = try #require(plan.payload[member: "system"])
        #expect(system.members?.map(\.name) == ["user", "nextuid", "group", "nextgid"])
        #expect(system[member: "user"]?.items?.count == 2)
        #expect(plan.payload[member: "hasync"] == nil)
    }

    @Test func adminsyncTravels() throws {
        let hasync = Self.hasync.replacingOccurrences(of: "<pfsyncenabled>", with: "<adminsync>on</adminsync><pfsyncenabled>")
        let plan = try #require(SyncPush.plan(try Self.primary(hasync: hasync)))
        #expect(plan.payload[member: "hasync"] == .structure([("adminsync", .string("on"))]))
    }

    @Test(arguments: [
        (XMLRPCResponse.value(.structure([("config_version", .string("23.3"))])), VersionCheck.proceed),
        (.value(.structure([("config_version", .string("23.30"))])), .proceed),
        (.value(.structure([("config_version", .string("22.2"))])),
         .refuse("The other member is on a different configuration version (22.2, this node 23.3). Sync will not be done to prevent problems!")),
        (.value(.structure([("firmware", .string("x"))])),
         .refuse("The configuration version of the other member could not be determined. Skipping synchronization.")),
        (.fault(code: -1, message: "Authentication failed: Invalid username or password"),
         .refuse("host_firmware_version failed: fault -1: Authentication failed: Invalid username or password")),
        (.value(.string("Authentication failed")), .refuse("host_firmware_version failed: Authentication failed")),
    ])
    func versionCheck(_ reply: XMLRPCResponse, _ expected: VersionCheck) {
        #expect(VersionCheck.decide(reply, localVersion: "23.3") == expected)
    }

    /// The primary's push through the wire format into a secondary that has only its
    /// node-local settings: VIPs arrive with advskew + 100, rules, aliases, users.
    @Test func primaryToSecondary() throws {
        let primary = try Self.primary()
        let plan = try #require(SyncPush.plan(primary))
        let secondary = try ConfigDocument(text: """
            <?xml version="1.0"?>
            <pfsense>
            \t<version>23.3</version>
            \t<system><hostname>secondaryfw</hostname>
            \t\t<group><name>admins</name><gid>1999</gid><scope>system</scope><member>0</member><priv>page-all</priv></group>
            \t\t<user><name>admin</name><uid>0</uid><scope>system</scope><groupname>admins</groupname><bcrypt-hash>$2y$10$s</bcrypt-hash></user>
            \t\t<nextuid>2000</nextuid><nextgid>2000</nextgid>
            \t</system>
            \t<interfaces>
            \t\t<wan><enable></enable><if>wan0</if><ipaddr>198.51.100.3</ipaddr><subnet>24</subnet></wan>
            \t\t<lan><enable></enable><if>lan0</if><ipaddr>192.0.2.3</ipaddr><subnet>24</subnet></lan>
            \t\t<opt1><enable></enable><if>sync0</if><ipaddr>203.0.113.2</ipaddr><subnet>30</subnet></opt1>
            \t</interfaces>
            \t<hasync><pfsyncenabled>on</pfsyncenabled><pfsyncinterface>opt1</pfsyncinterface></hasync>
            </pfsense>
            """)
        let call = try XMLRPCCodec.decodeCall(XMLRPCCodec.encodeCall(plan.restoreCall))
        let receiver = SyncReceiver(versions: .init(firmware: "0.3.0", kernel: "6.1.0"))
        guard case .commit(let commit) = receiver.handle(call: call, local: secondary, caller: IPAddress("203.0.113.1")) else {
            Issue.record("no commit"); return
        }
        let config = commit.document.config
        #expect(config.virtualIPs.compactMap(\.advskew) == [100, 254])
        #expect(config.filterRules.map(\.descr) == ["synced"])
        #expect(config.aliases.map(\.name) == ["web"])
        #expect(config.system.users.map(\.name) == ["admin", "john"])
        #expect(config.system.users.first?.password == .bcrypt("$2y$10$s"))
        #expect(config.system.hostname == "secondaryfw")
        #expect(config.interfaces.first?.name == "wan")
        #expect(commit.revisionDescription == "Merged in config (system, virtualip, aliases, dhcpd, filter, kea sections) from XMLRPC client.")
        #expect(commit.warnings.isEmpty)
        #expect(ConfigValidator.validate(config).filter { $0.severity == .error }.isEmpty)
    }
}
