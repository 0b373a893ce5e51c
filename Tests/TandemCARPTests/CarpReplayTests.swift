import Testing
import TandemAddress
@testable import TandemCARP

/// Replayed advertisements (issue 16 item 8): a counter seen before, or an older one from a
/// source that counts sequentially, is refused; where the sources stood is forgotten once
/// the vhid takes over; a slower master's advertisements re-announce the VIPs at most once
/// per interval. Fake clock throughout.
@Suite struct CarpReplayTests {
    static let lan = CarpGroupID(interface: "lan0", vhid: 1)
    static let peer = IPAddress("192.0.2.3")!
    static let other = IPAddress("192.0.2.4")!

    static func packet(counter: UInt64, advbase: UInt8 = 1, advskew: UInt8 = 0,
                       from source: IPAddress = peer) -> CarpNodeEvent {
        let ad = CarpAdvertisement.signed(vhid: 1, advbase: advbase, advskew: advskew, counter: counter,
                                          key: Fixture.key, addresses: [Fixture.lanVIP.address])
        return .packet(ReceivedCarpPacket(interface: "lan0", source: source, hopLimit: 255, payload: ad.encoded()))
    }

    /// A backup (advskew 100) that heard its master's advertisements 1000...1002.
    static func backup() -> CarpNode<FakeInstant> {
        var node = CarpNode<FakeInstant>(groups: [Fixture.group(advskew: 100)]) { _ in 50 }
        _ = node.handle(.link(interface: "lan0", up: true), at: .zero)
        for (i, counter) in [1000, 1001, 1002].enumerated() {
            _ = node.handle(Self.packet(counter: UInt64(counter)), at: .seconds(Double(i + 1)))
        }
        precondition(node.counters.accepted == 3 && node.machines[lan]?.state == .backup)
        return node
    }

    @Test func olderAndRepeatedCountersAreRefusedAndCounted() {
        var node = Self.backup()
        let deadline = node.machines[Self.lan]?.deadline
        // The captured advertisement again, and an older one rewritten to look slower (the
        // HMAC does not cover advskew): a backup with preempt would take over on it.
        #expect(node.handle(Self.packet(counter: 1002), at: .seconds(3.5)).isEmpty)
        #expect(node.handle(Self.packet(counter: 1001, advskew: 254), at: .seconds(3.6)).isEmpty)
        #expect(node.counters[.replayedCounter] == 2)
        #expect(node.machines[Self.lan]?.state == .backup)
        #expect(node.machines[Self.lan]?.deadline == deadline, "a replay must not restart the master-down timer")
        // The master's next one is fine.
        _ = node.handle(Self.packet(counter: 1003), at: .seconds(4))
        #expect(node.counters.accepted == 4)
        #expect(node.replayGuards[Self.lan]?.lastAccepted(from: Self.peer) == 1003)
    }

    /// Counters are per source: a second node on the segment has its own.
    @Test func eachSourceHasItsOwnCounter() {
        var node = Self.backup()
        _ = node.handle(Self.packet(counter: 7, advskew: 200, from: Self.other), at: .seconds(3.5))
        #expect(node.counters[.replayedCounter] == 0)
        #expect(node.counters.accepted == 4)
    }

    /// The master falls silent, the backup takes over on its master-down timer and forgets
    /// where the sources stood: the restarted master, with a new (smaller) random counter, is
    /// heard and preempts it back. A replay of the old master's last advertisement is still
    /// refused after the takeover.
    @Test func masterDownForgetsTheSourcesButNotTheCounters() {
        var node = Self.backup()
        _ = node.handle(.wakeUp(Self.lan), at: .seconds(7))
        #expect(node.machines[Self.lan]?.state == .master)
        #expect(node.replayGuards[Self.lan]?.lastAccepted(from: Self.peer) == nil)
        _ = node.handle(Self.packet(counter: 1002), at: .seconds(7.5))
        #expect(node.counters[.replayedCounter] == 1)
        #expect(node.machines[Self.lan]?.state == .master)
        _ = node.handle(Self.packet(counter: 5), at: .seconds(8))
        #expect(node.counters[.replayedCounter] == 1)
        #expect(node.machines[Self.lan]?.state == .backup)
    }

    /// Leaving the election (link down) forgets the sources too.
    @Test func linkDownForgetsTheSources() {
        var node = Self.backup()
        _ = node.handle(.link(interface: "lan0", up: false), at: .seconds(4))
        _ = node.handle(.link(interface: "lan0", up: true), at: .seconds(5))
        _ = node.handle(Self.packet(counter: 3), at: .seconds(6))
        #expect(node.counters[.replayedCounter] == 0)
        #expect(node.counters.accepted == 4)
    }

    /// A FreeBSD or ucarp master that has never heard a valid advertisement draws a random
    /// counter for each one (`carp_prepare_ad`, `sc_init_counter`): every new one is heard,
    /// only a repeat is refused.
    @Test func randomCountersOfAFreshBSDMasterAreAccepted() {
        var node = CarpNode<FakeInstant>(groups: [Fixture.group(advskew: 100)]) { _ in 50 }
        _ = node.handle(.link(interface: "lan0", up: true), at: .zero)
        var rng = SystemRandomNumberGenerator()
        var sent: [UInt64] = []
        for i in 0..<50 {
            sent.append(rng.next())
            _ = node.handle(Self.packet(counter: sent[i]), at: .seconds(Double(i + 1)))
        }
        #expect(node.counters.accepted == 50)
        #expect(node.machines[Self.lan]?.state == .backup)
        _ = node.handle(Self.packet(counter: sent[10]), at: .seconds(51))
        #expect(node.counters[.replayedCounter] == 1)
    }

    /// Forged sources cannot grow the memory without bound: sources and counters are capped.
    @Test func memoryIsBoundedPerVHID() {
        var guardian = CarpReplayGuard()
        guardian.accept(10, from: Self.peer)
        guardian.accept(11, from: Self.peer)
        for i in 0..<CarpReplayGuard.maximumSources - 1 {
            guardian.accept(UInt64(100 + i), from: IPAddress("192.0.2.\(10 + i)")!)
        }
        #expect(!guardian.allows(9, from: Self.peer), "the peer counts sequentially")
        guardian.accept(500, from: IPAddress("192.0.2.200")!)
        #expect(guardian.sources.count == CarpReplayGuard.maximumSources)
        #expect(guardian.allows(9, from: Self.peer), "the least recently accepted source was forgotten")
        for c in UInt64(1000)..<UInt64(1000 + CarpReplayGuard.rememberedCounters) { guardian.accept(c, from: Self.other) }
        let fresh = IPAddress("192.0.2.77")!
        let oldestForgotten = guardian.allows(10, from: fresh)
        let recentRefused = !guardian.allows(1000, from: fresh) && !guardian.allows(1100, from: fresh)
        #expect(oldestForgotten && recentRefused)
    }

    /// A master hearing slower masters re-announces its VIPs once, then at most once per
    /// second however many slower advertisements (from however many sources) arrive.
    @Test func reannouncementToASlowerMasterIsRateLimited() {
        var node = CarpNode<FakeInstant>(groups: [Fixture.group(advskew: 0)]) { _ in 50 }
        _ = node.handle(.link(interface: "lan0", up: true), at: .zero)
        _ = node.handle(.wakeUp(Self.lan), at: .seconds(3))
        #expect(node.machines[Self.lan]?.state == .master)
        var announcements: [Double] = []
        for step in 0..<40 {
            let t = 3.1 + Double(step) * 0.05   // 20 per second, each from a new source
            let out = node.handle(Self.packet(counter: UInt64(step), advskew: 200,
                                              from: IPAddress("192.0.2.\(100 + step)")!), at: .seconds(t))
            if out.contains(where: { if case .announce = $0.1 { true } else { false } }) { announcements.append(t) }
        }
        #expect(node.counters.accepted == 40)
        #expect(announcements.count == 2, "announced at \(announcements)")
        #expect(node.machines[Self.lan]?.state == .master)
    }
}
