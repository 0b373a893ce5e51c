import Testing
import TandemAddress
@testable import TandemCARP

@Suite struct CarpNodeTests {
    static let lan = CarpGroupID(interface: "lan0", vhid: 1)

    static func masterNode() -> CarpNode<FakeInstant> {
        var node = CarpNode<FakeInstant>(groups: [Fixture.group()]) { _ in 100 }
        _ = node.handle(.link(interface: "lan0", up: true), at: .zero)
        _ = node.handle(.wakeUp(lan), at: .seconds(3))
        precondition(node.machines[lan]?.state == .master)
        return node
    }

    static func advertisedSkews(_ out: [(CarpGroupID, CarpAction<FakeInstant>)]) -> [UInt8] {
        out.compactMap { if case .send(let ad, _) = $0.1 { ad.advskew } else { nil } }
    }

    /// FreeBSD `carp_send_ad_error`: the third failure since the last recovery demotes by
    /// 240 (a single success in between does not reset the count); the master re-advertises
    /// at once with the worse skew. Three successes in a row undo it.
    @Test func sendErrorsDemoteAndRecover() {
        var node = Self.masterNode()
        #expect(node.handle(.sendResult(Self.lan, succeeded: false), at: .seconds(4)).isEmpty)
        #expect(node.handle(.sendResult(Self.lan, succeeded: false), at: .seconds(5)).isEmpty)
        #expect(node.handle(.sendResult(Self.lan, succeeded: true), at: .seconds(6)).isEmpty)
        #expect(node.demotion == 0)
        let demoted = node.handle(.sendResult(Self.lan, succeeded: false), at: .seconds(7))
        #expect(node.demotion == 240)
        #expect(Self.advertisedSkews(demoted) == [240])
        #expect(node.handle(.sendResult(Self.lan, succeeded: false), at: .seconds(8)).isEmpty)
        #expect(node.counters.sendErrors == 4)
        for second in 9...10 {
            #expect(node.handle(.sendResult(Self.lan, succeeded: true), at: .seconds(Double(second))).isEmpty)
        }
        let recovered = node.handle(.sendResult(Self.lan, succeeded: true), at: .seconds(11))
        #expect(node.demotion == 0)
        #expect(Self.advertisedSkews(recovered) == [0])
        // The takeover advertisement plus the two demotion changes.
        #expect(node.counters.sent == 3)
        // Counting starts afresh: two more failures do not demote.
        _ = node.handle(.sendResult(Self.lan, succeeded: false), at: .seconds(12))
        _ = node.handle(.sendResult(Self.lan, succeeded: false), at: .seconds(13))
        #expect(node.demotion == 0)
    }

    @Test func packetsOnAnotherInterfaceAreUnknownVHID() {
        var node = Self.masterNode()
        let ad = CarpAdvertisement.signed(vhid: 1, advbase: 1, advskew: 0, counter: 1, key: Fixture.key,
                                          addresses: [Fixture.lanVIP.address])
        let out = node.handle(.packet(ReceivedCarpPacket(interface: "wan0", source: IPAddress("198.51.100.9")!,
                                                          hopLimit: 255, payload: ad.encoded())), at: .seconds(4))
        #expect(out.isEmpty)
        #expect(node.counters[.unknownVHID] == 1)
        #expect(node.machines[Self.lan]?.state == .master)
    }

    /// A link that carries no vhid does not demote; events for unknown vhids do nothing.
    @Test func unrelatedLinksAndVHIDsAreIgnored() {
        var node = Self.masterNode()
        #expect(node.handle(.link(interface: "sync0", up: false), at: .seconds(4)).isEmpty)
        #expect(node.demotion == 0)
        #expect(node.handle(.wakeUp(CarpGroupID(interface: "lan0", vhid: 99)), at: .seconds(4)).isEmpty)
    }

    @Test func countersEncodeAsJSONKeyedByReason() throws {
        var counters = CarpCounters()
        counters.count(.failure(.badHMAC))
        counters.count(.failure(.badTTL))
        let json = String(decoding: try JSONEncoderShim.encode(counters), as: UTF8.self)
        #expect(json.contains("\"badHMAC\":1"))
        #expect(json.contains("\"badTTL\":1"))
    }

    /// Link loss: the vhid on the dead link goes to INIT and removes its VIPs without
    /// sending on that link; the master on the other interface re-advertises demoted.
    @Test func linkLossSendsNothingOnTheDeadLink() {
        var node = CarpNode<FakeInstant>(groups: [Fixture.group(), Fixture.group(vhid: 143, interface: "wan0", vip: Fixture.wanVIP)]) { _ in 1 }
        _ = node.handle(.link(interface: "lan0", up: true), at: .zero)
        _ = node.handle(.link(interface: "wan0", up: true), at: .zero)
        _ = node.handle(.wakeUp(Self.lan), at: .seconds(3))
        let wan = CarpGroupID(interface: "wan0", vhid: 143)
        _ = node.handle(.wakeUp(wan), at: .seconds(3))
        let out = node.handle(.link(interface: "wan0", up: false), at: .seconds(4))
        let sends = out.filter { if case .send = $0.1 { true } else { false } }
        #expect(sends.map(\.0) == [Self.lan])
        #expect(Self.advertisedSkews(sends) == [240])
        #expect(out.contains { $0.0 == wan && $0.1 == .removeAddresses([Fixture.wanVIP]) })
        #expect(node.machines[wan]?.state == .initial)
    }
}
