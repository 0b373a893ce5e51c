import Testing
@testable import TandemConfig

@Suite struct SyncSectionsTests {
    @Test func primaryExampleSendsItsToggledSections() throws {
        let doc = try ConfigDocument(bytes: ConfigFileReader.read(examplePath("primaryfw.xml")))
        // synchronizeusers/rules/nat/aliases/virtualip/dhcpd/staticroutes, only sections
        // present (no <schedules> and no <kea> in the file).
        #expect(SyncSections.sections(for: doc.config.hasync, in: doc.xml.root) ==
                ["system/user", "system/nextuid", "system/group", "system/nextgid",
                 "staticroutes", "gateways", "virtualip", "filter", "nat", "aliases", "dhcpd"])
    }

    @Test func secondaryAndEmptyTogglesSendNothing() throws {
        let doc = try ConfigDocument(bytes: ConfigFileReader.read(examplePath("secondaryfw.xml")))
        #expect(SyncSections.sections(for: doc.config.hasync, in: doc.xml.root).isEmpty)
        let bare = try ConfigDocument(text: document("<hasync><synchronizetoip>203.0.113.2</synchronizetoip></hasync><filter></filter>"))
        #expect(SyncSections.sections(for: bare.config.hasync, in: bare.xml.root).isEmpty)
    }

    @Test func noSyncItemsAreStripped() throws {
        let doc = try ConfigDocument(text: document("""
            <filter>
            \t<rule><tracker>1</tracker><interface>lan</interface></rule>
            \t<rule><tracker>2</tracker><interface>lan</interface><nosync/></rule>
            \t<rule><tracker>3</tracker><interface>lan</interface><nosync>0</nosync></rule>
            </filter>
            <nat><outbound><mode>advanced</mode><rule><interface>wan</interface><nosync></nosync></rule></outbound>
            <rule><interface>wan</interface><target>192.0.2.10</target></rule></nat>
            """))
        let filter = SyncSections.strippingNoSync(doc.xml.root.child("filter")!)
        #expect(filter.children("rule").map { $0.child("tracker")!.text } == ["1", "3"])
        #expect(XMLWriter.write(filter) == "<filter>\n\t<rule><tracker>1</tracker><interface>lan</interface></rule>\n\t<rule><tracker>3</tracker><interface>lan</interface><nosync>0</nosync></rule>\n</filter>")
        let nat = SyncSections.strippingNoSync(doc.xml.root.child("nat")!)
        #expect(nat.child("outbound")!.children("rule").isEmpty)
        #expect(nat.children("rule").count == 1)
    }

    @Test func tablesMatchTheReference() {
        #expect(SyncSections.byToggle.map(\.toggle).sorted() == ConfigValidator.knownToggles.sorted())
        #expect(SyncSections.fullReplace.contains("filter") && !SyncSections.fullReplace.contains("virtualip"))
    }
}
