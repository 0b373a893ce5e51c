import Testing
import TandemAddress
import TandemConfig
import TandemConfigSync

/// `restore_config_section` and the other server methods as before/pushed/after tables
/// (pfSense `xmlrpc.php` semantics).
@Suite struct SyncReceiverTests {
    static let receiver = SyncReceiver(versions: .init(firmware: "0.3.0", kernel: "6.1.0"))

    /// A secondary's config: the given sections plus interfaces wan/lan/opt1.
    static func local(_ body: String, hasync: String = "<hasync><pfsyncenabled>on</pfsyncenabled></hasync>") throws -> ConfigDocument {
        try ConfigDocument(text: """
            <?xml version="1.0"?>
            <pfsense>
            \t<version>23.3</version>
            \t<interfaces>
            \t\t<wan><enable></enable><if>wan0</if><ipaddr>198.51.100.3</ipaddr><subnet>24</subnet></wan>
            \t\t<lan><enable></enable><if>lan0</if><ipaddr>192.0.2.3</ipaddr><subnet>24</subnet></lan>
            \t\t<opt1><enable></enable><if>sync0</if><ipaddr>203.0.113.2</ipaddr><subnet>30</subnet></opt1>
            \t</interfaces>
            \t\(hasync)
            \(body)
            </pfsense>
            """)
    }

    /// The push's struct, written as the sections' XML (converted as pfSense sends them).
    static func pushed(_ xml: String) throws -> XMLRPCValue {
        let root = try XMLParser.parse("<sections>\(xml)</sections>").root
        return .struct(root.elements.map { XMLRPCValue.Member($0.name, SectionForm.value(of: $0)) })
    }

    static func restore(_ local: ConfigDocument, _ sections: XMLRPCValue, caller: String = "203.0.113.1") throws -> SyncCommit {
        let call = XMLRPCCall(methodName: "pfsense.restore_config_section", params: [sections, .int(900)])
        guard case .commit(let commit) = receiver.handle(call: call, local: local, caller: IPAddress(caller)) else {
            Issue.record("expected a commit")
            throw CancellationError()
        }
        return commit
    }

    /// A section of the result in canonical form (no layout), for comparison.
    static func section(_ document: ConfigDocument, _ name: String) -> String {
        guard let e = document.xml.root.child(name) else { return "(none)" }
        return XMLWriter.write(SectionFormTests.normalized(e))
    }

    static func canonical(_ xml: String) throws -> String {
        XMLWriter.write(SectionFormTests.normalized(try XMLParser.parse(xml).root))
    }

    // MARK: full-replace sections

    @Test(arguments: [
        ("<aliases><alias><name>web</name><type>host</type><address>192.0.2.10</address></alias></aliases>",
         "<aliases></aliases>", "<aliases></aliases>"),
        ("<filter><rule><type>pass</type><interface>lan</interface><tracker>1</tracker></rule></filter>",
         "<filter></filter>", "<filter></filter>"),
        ("<nat><outbound><mode>advanced</mode><rule><interface>wan</interface><target>198.51.100.1</target></rule></outbound></nat>",
         "<nat><outbound><mode>advanced</mode></outbound></nat>", "<nat><outbound><mode>advanced</mode></outbound></nat>"),
        ("<filter><rule><tracker>1</tracker></rule><rule><tracker>2</tracker></rule><separator/></filter>",
         "<filter><rule><tracker>2</tracker></rule></filter>", "<filter><rule><tracker>2</tracker></rule></filter>"),
    ])
    func fullReplaceSectionsDeleteTheLastItem(_ before: String, _ push: String, _ after: String) throws {
        let commit = try Self.restore(try Self.local(before), try Self.pushed(push))
        let name = try XMLParser.parse(before).root.name
        #expect(Self.section(commit.document, name) == (try Self.canonical(after)))
        #expect(commit.sections == [name])
        #expect(commit.revisionDescription == "Merged in config (\(name) sections) from XMLRPC client.")
    }

    // MARK: merged sections

    @Test func mergedSectionKeepsLocalKeysAndTakesPushedKeysWhole() throws {
        let local = try Self.local("""
            <gateways><gateway_item><name>WANGW</name><gateway>198.51.100.254</gateway></gateway_item>
            <gateway_item><name>OLD</name><gateway>198.51.100.253</gateway></gateway_item><defaultgw4>WANGW</defaultgw4></gateways>
            """)
        let commit = try Self.restore(local, try Self.pushed("<gateways><gateway_item><name>NEW</name><gateway>198.51.100.252</gateway></gateway_item></gateways>"))
        #expect(Self.section(commit.document, "gateways") == (try Self.canonical(
            "<gateways><gateway_item><name>NEW</name><gateway>198.51.100.252</gateway></gateway_item><defaultgw4>WANGW</defaultgw4></gateways>")))
    }

    @Test func revisionTextNamesMergedThenFullSectionsInPfSenseOrder() throws {
        let commit = try Self.restore(try Self.local(""), try Self.pushed(
            "<nat></nat><staticroutes></staticroutes><filter></filter><aliases></aliases><gateways></gateways>"))
        #expect(commit.revisionDescription == "Merged in config (staticroutes, gateways, aliases, filter, nat sections) from XMLRPC client.")
    }

    @Test func nodeLocalSectionsAreIgnored() throws {
        let local = try Self.local("")
        let commit = try Self.restore(local, try Self.pushed(
            "<interfaces><wan><if>evil0</if></wan></interfaces><system><hostname>primaryfw</hostname><nextuid>2001</nextuid></system>"))
        #expect(commit.document.xml.root.child("interfaces") == local.xml.root.child("interfaces"))
        #expect(commit.document.config.system.hostname == nil)
        #expect(commit.document.config.system.nextUID == 2001)
        #expect(commit.log.contains { $0.contains("Ignored node-local sections sent by the peer: interfaces") })
    }

    @Test func keaKeepsLocalHASettings() throws {
        let local = try Self.local("<kea><ha><role>standby</role><localname>secondaryfw</localname><tls></tls><scertref>abc</scertref></ha></kea>")
        let commit = try Self.restore(local, try Self.pushed("<kea><ha><role>standby</role><remotename>primaryfw</remotename></ha><enable></enable></kea>"))
        let ha = try #require(commit.document.xml.root.descendant("kea/ha"))
        #expect(ha.child("localname")?.text == "secondaryfw")
        #expect(ha.child("scertref")?.text == "abc")
        #expect(ha.child("tls") != nil)
        #expect(ha.child("remotename")?.text == "primaryfw")
    }

    // MARK: users and groups

    static let accounts = """
        <system>
        <group><name>admins</name><gid>1999</gid><scope>system</scope><member>0</member><priv>page-all</priv></group>
        <group><name>ops</name><gid>2001</gid><scope>local</scope></group>
        <user><name>admin</name><uid>0</uid><scope>system</scope><groupname>admins</groupname><bcrypt-hash>$2y$10$localadminhash</bcrypt-hash></user>
        <user><name>bob</name><uid>2001</uid><scope>user</scope><bcrypt-hash>$2y$10$bob</bcrypt-hash></user>
        <user><name>localsvc</name><uid>1500</uid><scope>system</scope></user>
        <nextuid>2002</nextuid><nextgid>2002</nextgid>
        </system>
        """

    static let pushedAccounts = """
        <system>
        <user><name>admin</name><uid>0</uid><scope>system</scope><groupname>admins</groupname><bcrypt-hash>$2y$10$primaryadminhash</bcrypt-hash></user>
        <user><name>john</name><uid>2000</uid><scope>user</scope><bcrypt-hash>$2y$10$john</bcrypt-hash></user>
        <nextuid>2001</nextuid>
        <group><name>admins</name><gid>1999</gid><scope>system</scope><member>0</member><member>2000</member><priv>page-all</priv></group>
        <nextgid>2000</nextgid>
        </system>
        """

    @Test(arguments: [false, true])
    func usersBelow2000KeptUnlessAdminsync(_ adminsync: Bool) throws {
        let push = Self.pushedAccounts + (adminsync ? "<hasync><adminsync>on</adminsync></hasync>" : "")
        let commit = try Self.restore(try Self.local(Self.accounts), try Self.pushed(push))
        let users = commit.document.config.system.users
        // Sorted by name; john added, bob (local only, uid ≥ 2000) removed, localsvc (uid < 2000) kept.
        #expect(users.map(\.name) == ["admin", "john", "localsvc"])
        let admin = try #require(users.first { $0.name == "admin" })
        #expect(admin.password == .bcrypt(adminsync ? "$2y$10$primaryadminhash" : "$2y$10$localadminhash"))
        // admins (gid 1999, not < 1999) differs → replaced; ops (local only, gid 2001) removed.
        #expect(commit.document.config.system.groups.map(\.name) == ["admins"])
        #expect(commit.document.config.system.groups.first?.members == [0, 2000])
        #expect(commit.document.config.system.nextUID == 2001)
        #expect(commit.log.contains("Adding user: john"))
        #expect(commit.log.contains("Removing user: bob"))
        #expect(commit.log.contains("Removing group: ops"))
    }

    @Test func usersUntouchedUnlessGroupsArriveToo() throws {
        let local = try Self.local(Self.accounts)
        let commit = try Self.restore(local, try Self.pushed(
            "<system><user><name>john</name><uid>2000</uid></user><nextuid>2001</nextuid></system>"))
        #expect(commit.document.config.system.users.map(\.name) == local.config.system.users.map(\.name))
        #expect(commit.document.config.system.groups.map(\.name) == ["admins", "ops"])
    }

    // MARK: VIPs

    static let vips = """
        <virtualip>
        <vip><mode>ipalias</mode><interface>wan</interface><subnet>198.51.100.50</subnet><subnet_bits>24</subnet_bits><descr>node-local</descr></vip>
        <vip><mode>carp</mode><interface>wan</interface><vhid>143</vhid><advskew>100</advskew><advbase>1</advbase><password>secret</password><subnet>198.51.100.1</subnet><subnet_bits>24</subnet_bits><uniqid>wanvip</uniqid></vip>
        <vip><mode>carp</mode><interface>lan</interface><vhid>1</vhid><advskew>100</advskew><advbase>1</advbase><password>secret</password><subnet>192.0.2.1</subnet><subnet_bits>24</subnet_bits><uniqid>lanvip</uniqid></vip>
        <vip><mode>carp</mode><interface>lan</interface><vhid>2</vhid><advskew>100</advskew><advbase>1</advbase><password>secret</password><subnet>192.0.2.5</subnet><subnet_bits>24</subnet_bits><uniqid>gone</uniqid></vip>
        </virtualip>
        """

    @Test func unchangedVIPsUntouchedChangedReconfiguredRemovedReported() throws {
        let commit = try Self.restore(try Self.local(Self.vips), try Self.pushed("""
            <virtualip>
            <vip><mode>carp</mode><interface>wan</interface><vhid>143</vhid><advskew>100</advskew><advbase>1</advbase><password>secret</password><subnet>198.51.100.1</subnet><subnet_bits>24</subnet_bits><uniqid>wanvip</uniqid></vip>
            <vip><mode>carp</mode><interface>lan</interface><vhid>1</vhid><advskew>150</advskew><advbase>1</advbase><password>secret</password><subnet>192.0.2.1</subnet><subnet_bits>24</subnet_bits><uniqid>lanvip</uniqid></vip>
            <vip><mode>carp</mode><interface>lan</interface><vhid>3</vhid><advskew>100</advskew><advbase>1</advbase><password>secret</password><subnet>192.0.2.6</subnet><subnet_bits>24</subnet_bits><uniqid>new</uniqid></vip>
            </virtualip>
            """))
        #expect(commit.vips.unchanged == ["wan_vip143"])
        #expect(commit.vips.configured == ["lan_vip1", "lan_vip3"])
        #expect(commit.vips.removed == [.init(key: "lan_vip2", interface: "lan", address: "192.0.2.5")])
        // The node-local IP alias is kept, in front.
        let vips = commit.document.config.virtualIPs
        #expect(vips.map(\.descr) == ["node-local", nil, nil, nil])
        #expect(vips.map(\.vhid) == [nil, 143, 1, 3])
    }

    @Test func interfaceKeyMismatchIsReported() throws {
        let commit = try Self.restore(try Self.local(""), try Self.pushed("""
            <virtualip><vip><mode>carp</mode><interface>opt2</interface><vhid>5</vhid><subnet>203.0.113.9</subnet><subnet_bits>24</subnet_bits></vip></virtualip>
            <dhcpd><opt3><enable></enable></opt3><lan><enable></enable></lan></dhcpd>
            """))
        #expect(commit.warnings == [
            "virtualip/vip[1]/interface: interface 'opt2' does not exist on this node; the nodes' interface assignments differ",
            "dhcpd/opt3: interface 'opt3' does not exist on this node; the nodes' interface assignments differ",
        ])
    }

    @Test func removedStaticRoutesAreReported() throws {
        let local = try Self.local("""
            <staticroutes><route><network>203.0.113.64/26</network><gateway>WANGW</gateway></route>
            <route><network>203.0.113.128/26</network><gateway>WANGW</gateway></route></staticroutes>
            """)
        let commit = try Self.restore(local, try Self.pushed("<staticroutes><route><network>203.0.113.64/26</network><gateway>WANGW</gateway></route></staticroutes>"))
        #expect(commit.removedRoutes.map(\.network) == ["203.0.113.128/26"])
        #expect(commit.document.xml.root.child("staticroutes")?.children("route").count == 1)
    }

    // MARK: the other methods

    @Test func loopGuardAnswersTrueWithoutEffect() throws {
        let local = try Self.local("", hasync: "<hasync><synchronizetoip>203.0.113.1</synchronizetoip></hasync>")
        for method in ["restore_config_section", "merge_config_section", "merge_installedpackages_section", "interfaces_carp_configure"] {
            let receipt = Self.receiver.handle(call: XMLRPCCall(methodName: "pfsense." + method, params: [.struct([])]),
                                               local: local, caller: IPAddress("203.0.113.1"))
            guard case .reply(let reply, let log) = receipt else { Issue.record("\(method) committed"); continue }
            #expect(reply == .value(.boolean(true)))
            #expect(log.first?.hasPrefix("Disallowing CARP sync loop") == true)
        }
    }

    @Test(arguments: ["pfsense.exec_php", "pfsense.exec_shell", "pfsense.reboot", "opnsense.exec_php"])
    func remoteExecutionIsRefused(_ method: String) throws {
        let receipt = Self.receiver.handle(call: XMLRPCCall(methodName: method, params: [.string("echo pwned")]),
                                           local: try Self.local(""), caller: nil)
        guard case .reply(.fault(let code, let message), _) = receipt else { Issue.record("not a fault"); return }
        #expect(code == -32001)
        #expect(message.contains("never runs code"))
    }

    @Test(arguments: ["pfsense.host_firmware_version", "opnsense.firmware_version"])
    func firmwareVersionCarriesConfigVersion(_ method: String) throws {
        let receipt = Self.receiver.handle(call: XMLRPCCall(methodName: method, params: [.int(1)]), local: try Self.local(""), caller: nil)
        guard case .reply(.value(let v), _) = receipt else { Issue.record("no value"); return }
        #expect(v[member: "config_version"] == .string("23.3"))
        #expect(v[member: "firmware"]?[member: "version"] == .string("0.3.0"))
    }

    @Test func unknownMethodAndBadParams() throws {
        let local = try Self.local("")
        #expect(Self.receiver.handle(call: XMLRPCCall(methodName: "pfsense.nope"), local: local, caller: nil).reply
                == SyncFault.methodNotFound("pfsense.nope"))
        #expect(Self.receiver.handle(call: XMLRPCCall(methodName: "system.listMethods"), local: local, caller: nil).reply
                == SyncFault.methodNotFound("system.listMethods"))
        guard case .fault(-32602, _) = Self.receiver.handle(call: XMLRPCCall(methodName: "pfsense.restore_config_section", params: [.int(1)]),
                                                            local: local, caller: nil).reply else {
            Issue.record("expected invalid params"); return
        }
        guard case .fault(-32602, let message) = Self.receiver.handle(
            call: XMLRPCCall(methodName: "pfsense.restore_config_section", params: [.structure([("filter", .structure([("a b", .string(""))]))])]),
            local: local, caller: nil).reply else {
            Issue.record("expected invalid params"); return
        }
        #expect(message.contains("filter/a b"))
    }

    @Test func mergeConfigSectionOverlaysOnlyExistingKeys() throws {
        let local = try Self.local("<unbound><enable></enable><port>53</port></unbound>")
        let receipt = Self.receiver.handle(call: XMLRPCCall(methodName: "pfsense.merge_config_section", params: [try Self.pushed(
            "<unbound><port>5353</port><extra>x</extra></unbound><snmpd><x>1</x></snmpd>")]), local: local, caller: nil)
        guard case .commit(let commit) = receipt else { Issue.record("no commit"); return }
        #expect(Self.section(commit.document, "unbound") == (try Self.canonical("<unbound><enable></enable><port>5353</port></unbound>")))
        #expect(commit.document.xml.root.child("snmpd") == nil)
        #expect(commit.revisionDescription == "Merged in config (unbound, snmpd sections) from XMLRPC client.")
    }

    @Test func mergeInstalledPackagesReplacesPackageKeys() throws {
        let local = try Self.local("<installedpackages><squid><config><a>1</a></config></squid><haproxy><x>1</x></haproxy></installedpackages>")
        let receipt = Self.receiver.handle(call: XMLRPCCall(methodName: "pfsense.merge_installedpackages_section", params: [try Self.pushed(
            "<squid><config><b>2</b></config></squid>")]), local: local, caller: nil)
        guard case .commit(let commit) = receipt else { Issue.record("no commit"); return }
        #expect(Self.section(commit.document, "installedpackages") == (try Self.canonical(
            "<installedpackages><squid><config><b>2</b></config></squid><haproxy><x>1</x></haproxy></installedpackages>")))
    }

    @Test func backupConfigSectionNeverHandsOutNodeLocalSections() throws {
        let local = try Self.local("<aliases><alias><name>a</name></alias></aliases>")
        let reply = Self.receiver.handle(call: XMLRPCCall(methodName: "pfsense.backup_config_section",
                                                          params: [.array([.string("aliases"), .string("hasync"), .string("interfaces")])]),
                                         local: local, caller: nil).reply
        guard case .value(let v) = reply else { Issue.record("no value"); return }
        #expect(v.members?.map(\.name) == ["aliases"])
    }

    /// A pushed section keeps the secondary's other sections byte for byte.
    @Test func untouchedSectionsKeepTheirBytes() throws {
        let local = try Self.local(Self.vips + "\n<aliases><alias><name>a</name></alias></aliases>")
        let before = XMLWriter.write(local.xml.root.child("virtualip")!)
        let commit = try Self.restore(local, try Self.pushed("<aliases></aliases>"))
        #expect(XMLWriter.write(commit.document.xml.root.child("virtualip")!) == before)
    }
}
