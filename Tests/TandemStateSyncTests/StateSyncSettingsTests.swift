import Testing
import TandemAddress
@testable import TandemStateSync

@Suite struct StateSyncSettingsTests {
    static let local = IPAddress("203.0.113.1")!

    @Test func disabledGivesNothing() throws {
        #expect(try StateSyncSettings.from(pfsyncEnabled: false, device: "sync0", local: Self.local, peerIP: nil, password: nil) == nil)
    }

    @Test func unicastPeer() throws {
        let s = try #require(try StateSyncSettings.from(pfsyncEnabled: true, device: "sync0", local: Self.local,
                                                         peerIP: " 203.0.113.2 ", password: "pw"))
        #expect(s.peer == IPAddress("203.0.113.2"))
        #expect(s.port == 4877)
        #expect(s.secret == Array("pw".utf8))
    }

    @Test(arguments: [
        (nil, "pw", StateSyncSettings.Problem.noPeer),
        ("", "pw", .noPeer),
        ("224.0.0.240", "pw", .peerNotUnicast("224.0.0.240")),
        ("sync-peer", "pw", .invalidPeer("sync-peer")),
        ("2001:db8::2", "pw", .familyMismatch(local: IPAddress("203.0.113.1")!, peer: IPAddress("2001:db8::2")!)),
        ("203.0.113.2", "", .emptySecret),
        ("203.0.113.2", nil, .emptySecret),
    ] as [(String?, String?, StateSyncSettings.Problem)])
    func rejects(peer: String?, password: String?, problem: StateSyncSettings.Problem) {
        #expect(throws: problem) {
            try StateSyncSettings.from(pfsyncEnabled: true, device: "sync0", local: Self.local, peerIP: peer, password: password)
        }
    }
}
