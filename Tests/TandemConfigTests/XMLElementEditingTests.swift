import Testing
@testable import TandemConfig

@Suite struct XMLElementEditingTests {
    static let base = "<?xml version=\"1.0\"?>\n<pfsense>\n\t<version>23.3</version>\n\t<hasync>\n\t\t<pfsyncenabled>on</pfsyncenabled>\n\t</hasync>\n\t<unknown>keep me</unknown>\n</pfsense>\n"

    @Test func addingAFlagUsesPfSenseLayout() throws {
        var doc = try ConfigDocument(text: Self.base)
        #expect(doc.config.carpMaintenanceMode == false)
        doc.edit { $0.setFlag(true, at: "virtualip_carp_maintenancemode") }
        #expect(doc.config.carpMaintenanceMode)
        #expect(doc.serialized() == "<?xml version=\"1.0\"?>\n<pfsense>\n\t<version>23.3</version>\n\t<hasync>\n\t\t<pfsyncenabled>on</pfsyncenabled>\n\t</hasync>\n\t<unknown>keep me</unknown>\n\t<virtualip_carp_maintenancemode></virtualip_carp_maintenancemode>\n</pfsense>\n")
        doc.edit { $0.setFlag(false, at: "virtualip_carp_maintenancemode") }
        #expect(doc.serialized() == Self.base)
        #expect(!doc.config.carpMaintenanceMode)
    }

    @Test func settingNestedValuesCreatesParentsAndUsesCDATA() throws {
        var doc = try ConfigDocument(text: Self.base)
        doc.edit { root in
            root.setValue("203.0.113.2", at: "hasync/synchronizetoip")
            root.setValue("s3cret", at: "hasync/password")
            root.setValue("192.0.2.1", at: "dhcpd/lan/gateway")
        }
        #expect(doc.config.hasync?.synchronizeToIP == "203.0.113.2")
        #expect(doc.config.hasync?.password == "s3cret")
        #expect(doc.config.dhcpScope(interface: "lan")?.gateway?.description == "192.0.2.1")
        let text = doc.serialized()
        #expect(text.contains("\t\t<synchronizetoip>203.0.113.2</synchronizetoip>\n\t\t<password><![CDATA[s3cret]]></password>\n\t</hasync>"))
        #expect(text.contains("\t<dhcpd>\n\t\t<lan>\n\t\t\t<gateway>192.0.2.1</gateway>\n\t\t</lan>\n\t</dhcpd>\n</pfsense>"))
        #expect(text.contains("\t<unknown>keep me</unknown>\n"))
    }

    @Test func revisionStamp() throws {
        var doc = try ConfigDocument(text: Self.base)
        doc.edit { $0.setRevision(time: 1764151300, description: "Enabled CARP maintenance mode", username: "admin") }
        #expect(doc.config.revision == ChangeStamp(time: 1764151300, username: "admin", description: "Enabled CARP maintenance mode"))
        #expect(doc.serialized().contains("\t<revision>\n\t\t<time>1764151300</time>\n\t\t<description><![CDATA[Enabled CARP maintenance mode]]></description>\n\t\t<username><![CDATA[admin]]></username>\n\t</revision>\n</pfsense>"))
    }

    @Test func removingAndAppendingListItems() throws {
        var doc = try ConfigDocument(text: document("<aliases>\n\t<alias><name>a</name><type>host</type><address>192.0.2.1</address></alias>\n</aliases>"))
        doc.edit { root in
            root.appendElement(XMLElement(name: "alias", children: [.element(.leaf("name", "b")), .element(.leaf("type", "network")),
                                                                     .element(.leaf("address", "192.0.2.0/24"))]), at: "aliases")
        }
        #expect(doc.config.aliases.map(\.name) == ["a", "b"])
        #expect(doc.config.aliases[1].location.path == "aliases/alias[2]")
        doc.edit { $0.removeElements(named: "alias", at: "aliases") }
        #expect(doc.config.aliases.isEmpty)
    }
}
