import Testing
import TandemConfig
import TandemConfigSync

/// Captive portal zones and voucher rolls in `restore_config_section`.
@Suite struct CaptivePortalSyncTests {
    static let local = """
        <captiveportal>
        <guest><zone>guest</zone><enable></enable><timeout>60</timeout><enablebackwardsync></enablebackwardsync><backwardsyncip>203.0.113.1</backwardsyncip></guest>
        <lab><zone>lab</zone><enable></enable></lab>
        </captiveportal>
        <voucher>
        <guest><vouchersyncdbip>203.0.113.1</vouchersyncdbip><roll><number>1</number><lastsync>100</lastsync><used>local-used</used></roll><roll><number>2</number><lastsync>100</lastsync></roll><roll><number>9</number></roll></guest>
        <lab><roll><number>1</number></roll></lab>
        </voucher>
        """

    static let pushed = """
        <captiveportal><guest><zone>guest</zone><enable></enable><timeout>120</timeout></guest></captiveportal>
        <voucher><guest><vouchersyncdbip>198.51.100.9</vouchersyncdbip><roll><number>1</number><lastsync>100</lastsync><used>primary</used></roll><roll><number>2</number><lastsync>200</lastsync><used>primary</used></roll><roll><number>3</number><lastsync>200</lastsync></roll></guest></voucher>
        """

    @Test func zonesAndRolls() throws {
        let commit = try SyncReceiverTests.restore(try SyncReceiverTests.local(Self.local), try SyncReceiverTests.pushed(Self.pushed))
        let root = commit.document.xml.root
        // lab is gone (the primary has no such zone), guest takes the primary's settings but
        // keeps its own backward sync.
        #expect(root.child("captiveportal")?.elements.map(\.name) == ["guest"])
        let guest = try #require(root.descendant("captiveportal/guest"))
        #expect(guest.child("timeout")?.text == "120")
        #expect(guest.child("backwardsyncip")?.text == "203.0.113.1")
        #expect(guest.child("enablebackwardsync") != nil)
        // Vouchers: lab's go with its zone; guest keeps its sync address; roll 1 unchanged
        // (same lastsync) keeps the local state, roll 2 is the primary's, roll 3 is new,
        // roll 9 (not on the primary) is removed.
        #expect(root.child("voucher")?.elements.map(\.name) == ["guest"])
        let vouchers = try #require(root.descendant("voucher/guest"))
        #expect(vouchers.child("vouchersyncdbip")?.text == "203.0.113.1")
        #expect(vouchers.children("roll").map { $0.child("number")?.text } == ["1", "2", "3"])
        #expect(vouchers.children("roll").map { $0.child("used")?.text } == ["local-used", "primary", nil])
        #expect(commit.log.contains("Removing captive portal zone: lab"))
        #expect(commit.revisionDescription == "Merged in config (captiveportal, voucher sections) from XMLRPC client.")
    }

    @Test func aRemovedZoneTakesItsVouchersAlong() throws {
        let commit = try SyncReceiverTests.restore(try SyncReceiverTests.local(Self.local), try SyncReceiverTests.pushed(
            "<captiveportal><guest><zone>guest</zone></guest></captiveportal>"))
        #expect(commit.document.xml.root.child("voucher")?.elements.map(\.name) == ["guest"])
    }

    @Test func zonesUntouchedWhenThePushHasNone() throws {
        let local = try SyncReceiverTests.local(Self.local)
        let commit = try SyncReceiverTests.restore(local, try SyncReceiverTests.pushed("<aliases></aliases>"))
        #expect(commit.document.xml.root.child("captiveportal") == local.xml.root.child("captiveportal"))
        #expect(commit.document.xml.root.child("voucher") == local.xml.root.child("voucher"))
    }
}
