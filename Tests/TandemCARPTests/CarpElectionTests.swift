import Testing
import TandemAddress
@testable import TandemCARP

/// Two nodes elect through the whole pure pipeline: machine → encode → receive ladder →
/// machine, on a fake clock.
@Suite struct CarpElectionTests {
    struct Election: Sendable, CustomTestStringConvertible {
        var a: (advbase: UInt8, advskew: UInt8)
        var b: (advbase: UInt8, advskew: UInt8)
        var winner: Int
        /// When the winner's master-down timer fires: 3 × advbase + advskew/256.
        var takeover: FakeInstant
        var testDescription: String { "A \(a) vs B \(b)" }
    }

    @Test(arguments: [
        Election(a: (1, 0), b: (1, 100), winner: 0, takeover: .seconds(3)),
        Election(a: (1, 100), b: (1, 0), winner: 1, takeover: .seconds(3)),
        Election(a: (1, 50), b: (1, 51), winner: 0, takeover: .steps(3 * 256 + 50)),
        // advbase outranks advskew: (1, 200) advertises more often than (2, 0).
        Election(a: (2, 0), b: (1, 200), winner: 1, takeover: .steps(3 * 256 + 200)),
        Election(a: (3, 0), b: (5, 0), winner: 0, takeover: .seconds(9)),
    ])
    func lowerAdvbaseThenAdvskewWins(_ e: Election) {
        var sim = CarpPairSimulation([Fixture.group(advbase: e.a.advbase, advskew: e.a.advskew)],
                                     [Fixture.group(advbase: e.b.advbase, advskew: e.b.advskew)])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(for: 60)
        #expect(sim.state(e.winner) == .master)
        #expect(sim.state(1 - e.winner) == .backup)
        #expect(sim.vips[e.winner] == [Fixture.lanVIP])
        #expect(sim.vips[1 - e.winner].isEmpty)
        let takeovers = sim.transitions.filter { $0.transition.to == .master }
        #expect(takeovers.count == 1)
        #expect(takeovers.first?.node == e.winner)
        #expect(takeovers.first?.transition.time == e.takeover)
        #expect(takeovers.first?.transition.reason == .masterTimedOut)
    }

    /// Equal priorities started together: whoever's timer fires first advertises, and the
    /// other, hearing an advertisement as good as its own, stays backup. (Two masters that
    /// hear each other both step down: `CarpMachineTests.masterStepsDownOnEqualAdvertisement`.)
    @Test func equalPrioritiesStartedTogetherElectOne() {
        var sim = CarpPairSimulation([Fixture.group()], [Fixture.group()])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(for: 30)
        #expect([sim.state(0), sim.state(1)].filter { $0 == .master }.count == 1)
        #expect(sim.transitions.filter { $0.transition.to == .master }.count == 1)
        #expect(sim.vips[0].count + sim.vips[1].count == 1)
    }

    /// With equal priorities the node that started first keeps mastership: the later one
    /// keeps hearing advertisements as good as its own and never times out.
    @Test func equalPrioritiesFirstStartedWins() {
        var sim = CarpPairSimulation([Fixture.group()], [Fixture.group()])
        sim.bringUp(0)
        sim.run(for: 1.5)
        sim.bringUp(1)
        sim.run(for: 30)
        #expect(sim.state(0) == .master)
        #expect(sim.state(1) == .backup)
        #expect(sim.transitions.filter { $0.transition.to == .master }.count == 1)
    }

    @Test(arguments: [true, false])
    func betterNodeJoiningLaterPreemptsOnlyWithPreempt(preempt: Bool) {
        var sim = CarpPairSimulation([Fixture.group(advskew: 0, preempt: preempt)],
                                     [Fixture.group(advskew: 100, preempt: preempt)])
        sim.bringUp(1)
        sim.run(for: 10)
        #expect(sim.state(1) == .master)
        sim.bringUp(0)
        let joined = sim.now
        sim.run(for: 10)
        if preempt {
            #expect(sim.state(0) == .master)
            #expect(sim.state(1) == .backup)
            let takeover = sim.transitions.last { $0.transition.to == .master }!
            #expect(takeover.node == 0)
            #expect(takeover.transition.reason == .preemptingSlowerMaster)
            // Preemption waits for the first advertisement of the slower master, at most one interval.
            #expect(joined.duration(to: takeover.transition.time) <= CarpTiming.advertisementInterval(advbase: 1, advskew: 100))
            #expect(sim.transitions.last!.transition.reason == .moreFrequentAdvertisement)
            #expect(sim.vips == [[Fixture.lanVIP], []])
        } else {
            #expect(sim.state(0) == .backup)
            #expect(sim.state(1) == .master)
            #expect(sim.vips == [[], [Fixture.lanVIP]])
        }
    }

    /// A dead master: the backup takes over exactly 3 + 100/256 s after the last
    /// advertisement it heard (≈ 3.39 s for the default pfSense pair).
    @Test func backupTakesOverWhenMasterFallsSilent() {
        var sim = CarpPairSimulation([Fixture.group(advskew: 0)], [Fixture.group(advskew: 100)])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(until: .seconds(10))
        // A advertises every whole second from 3 s on, so the last one B hears is at 10 s.
        #expect(sim.sent[0].count == 8)
        sim.wireUp["lan0"] = false
        sim.run(for: 10)
        let takeover = sim.transitions.last!
        #expect(takeover.node == 1 && takeover.transition.to == .master)
        #expect(takeover.transition.reason == .masterTimedOut)
        #expect(takeover.transition.time == FakeInstant.seconds(10).advanced(by: .nanoseconds((3 * 256 + 100) * 3_906_250)))
        // Split brain while the wire is cut: both hold the VIP.
        #expect(sim.vips == [[Fixture.lanVIP], [Fixture.lanVIP]])
        // The wire heals: B hears A's better advertisement and steps down; A re-announces.
        sim.wireUp["lan0"] = true
        sim.run(for: 2)
        #expect(sim.state(0) == .master)
        #expect(sim.state(1) == .backup)
        #expect(sim.vips == [[Fixture.lanVIP], []])
    }

    /// Persistent maintenance: advskew 254 (sent as 240) makes the peer preempt at once;
    /// leaving it lets this node preempt back on the peer's next advertisement.
    @Test func maintenanceModeHandsOverAndBack() {
        var sim = CarpPairSimulation([Fixture.group(advskew: 0)], [Fixture.group(advskew: 100)])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(until: .seconds(5.5))
        #expect(sim.state(0) == .master)
        sim.send(0, .setMaintenance(true))
        #expect(sim.sent[0].last?.advskew == 240)
        #expect(sim.state(0) == .backup)
        #expect(sim.state(1) == .master)
        #expect(sim.nodes[0].machines.values.first?.masterDownInterval
                == CarpTiming.masterDownInterval(advbase: 1, advskew: 254))
        sim.run(for: 20)
        #expect(sim.state(0) == .backup)
        sim.send(0, .setMaintenance(false))
        sim.run(for: 2)
        #expect(sim.state(0) == .master)
        #expect(sim.state(1) == .backup)
    }

    /// SIGTERM on the master: one advbase 255 / advskew 255 advertisement and the backup
    /// takes over at the same instant, with or without preempt.
    @Test(arguments: [true, false])
    func bowOutHandsOverAtOnce(preempt: Bool) {
        var sim = CarpPairSimulation([Fixture.group(advskew: 0, preempt: preempt)],
                                     [Fixture.group(advskew: 100, preempt: preempt)])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(until: .seconds(7.25))
        sim.send(0, .shutdown)
        let bowOut = sim.sent[0].last!
        #expect(bowOut.advbase == 255 && bowOut.advskew == 255)
        #expect(sim.state(0) == .initial)
        #expect(sim.state(1) == .master)
        let takeover = sim.transitions.last!
        #expect(takeover.transition.time == .seconds(7.25))
        #expect(takeover.transition.reason == (preempt ? .preemptingSlowerMaster : .masterWillTimeOut))
        #expect(sim.vips == [[], [Fixture.lanVIP]])
        // The stopped node stays out.
        sim.run(for: 10)
        #expect(sim.state(0) == .initial)
        #expect(sim.sent[0].last == bowOut)
    }

    /// Link loss on one interface: that vhid goes to INIT and the whole node is demoted by
    /// 240, so the peer takes the vhid on the other interface too (no split roles).
    @Test func linkLossDemotesTheWholeNode() {
        let a = [Fixture.group(vhid: 1, interface: "lan0"), Fixture.group(vhid: 143, interface: "wan0", vip: Fixture.wanVIP)]
        let b = [Fixture.group(vhid: 1, interface: "lan0", advskew: 100),
                 Fixture.group(vhid: 143, interface: "wan0", advskew: 100, vip: Fixture.wanVIP)]
        var sim = CarpPairSimulation(a, b)
        sim.bringUp(0, interfaces: ["lan0", "wan0"])
        sim.bringUp(1, interfaces: ["lan0", "wan0"])
        sim.run(until: .seconds(5.5))
        #expect(sim.state(0, "lan0", vhid: 1) == .master && sim.state(0, "wan0", vhid: 143) == .master)
        sim.wireUp["wan0"] = false
        sim.send(0, .link(interface: "wan0", up: false))
        #expect(sim.nodes[0].demotion == 240)
        #expect(sim.state(0, "wan0", vhid: 143) == .initial)
        #expect(sim.state(0, "lan0", vhid: 1) == .backup)   // preempted at once via the demoted advertisement
        #expect(sim.state(1, "lan0", vhid: 1) == .master)
        sim.run(for: 4)
        #expect(sim.state(1, "wan0", vhid: 143) == .master)
        #expect(sim.vips[0].isEmpty)
        // Link back: demotion cleared, node A preempts both back.
        sim.wireUp["wan0"] = true
        sim.send(0, .link(interface: "wan0", up: true))
        #expect(sim.nodes[0].demotion == 0)
        sim.run(for: 5)
        #expect(sim.state(0, "lan0", vhid: 1) == .master && sim.state(0, "wan0", vhid: 143) == .master)
        #expect(sim.vips == [[Fixture.lanVIP, Fixture.wanVIP], []])
    }

    @Test func demotionFromAnotherSourceAddsUpAndClears() {
        var sim = CarpPairSimulation([Fixture.group(advskew: 0)], [Fixture.group(advskew: 100)])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(until: .seconds(5.5))
        sim.send(0, .setDemotion(source: "state sync bulk", value: 240))
        #expect(sim.state(1) == .master)
        sim.send(0, .setDemotion(source: "state sync bulk", value: 0))
        #expect(sim.nodes[0].demotionSources.isEmpty)
        sim.run(for: 2)
        #expect(sim.state(0) == .master)
    }

    /// Sub-second CARP (OpenBSD advbase 0): advskew 26 advertises every 26/256 s ≈ 0.1 s;
    /// the backup with advskew 52 takes over 3 × 52/256 s ≈ 0.61 s after the last one.
    @Test func subsecondTiming() {
        var sim = CarpPairSimulation([Fixture.group(advbase: 0, advskew: 26, subsecond: true)],
                                     [Fixture.group(advbase: 0, advskew: 52, subsecond: true)])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(until: .seconds(1))
        #expect(sim.state(0) == .master)
        #expect(sim.transitions.first { $0.transition.to == .master }?.transition.time == .steps(3 * 26))
        let adsInFirstSecond = sim.sent[0].count
        #expect(adsInFirstSecond == 1 + (256 - 78) / 26)
        sim.wireUp["lan0"] = false
        let lastAd = FakeInstant.steps(78 + 26 * ((256 - 78) / 26))
        sim.run(for: 1)
        let takeover = sim.transitions.last!
        #expect(takeover.node == 1)
        #expect(takeover.transition.time == lastAd.advanced(by: .nanoseconds(3 * 52 * 3_906_250)))
    }

    /// An attacker (or another cluster with another password) sends a better advertisement:
    /// the ladder drops it and the master stays put.
    @Test func advertisementsWithBadHMACAreIgnored() {
        var sim = CarpPairSimulation([Fixture.group(advskew: 0)], [Fixture.group(advskew: 100)])
        sim.bringUp(0)
        sim.bringUp(1)
        sim.run(until: .seconds(5.5))
        let forged = CarpAdvertisement.signed(vhid: 1, advbase: 1, advskew: 0, counter: 1,
                                              key: CarpKey(password: "guess"), addresses: [Fixture.lanVIP.address])
        sim.send(0, .packet(ReceivedCarpPacket(interface: "lan0", source: IPAddress("192.0.2.66")!,
                                               hopLimit: 255, payload: forged.encoded())))
        #expect(sim.state(0) == .master)
        #expect(sim.nodes[0].counters[.badHMAC] == 1)
        // The backup is not fooled either: with all of A's advertisements forged, it times out.
        sim.tamper = { packet in packet.payload[30] ^= 0x55; CarpReceiveValidationTests.resum(&packet.payload) }
        sim.run(for: 5)
        #expect(sim.state(1) == .master)
        #expect(sim.nodes[1].counters[.badHMAC] >= 3)
    }

    /// A switch echoing our own advertisement must not make us step down on an "equal" one.
    @Test func ownEchoIsIgnored() {
        var sim = CarpPairSimulation([Fixture.group(advskew: 0)], [Fixture.group(advskew: 100)])
        sim.bringUp(0)
        sim.run(until: .seconds(4.5))
        #expect(sim.state(0) == .master)
        let mine = sim.sent[0].last!
        // Echo with our source address, then one relayed from elsewhere carrying our counter.
        sim.send(0, .packet(ReceivedCarpPacket(interface: "lan0", source: sim.sources[0], hopLimit: 255, payload: mine.encoded())))
        sim.send(0, .packet(ReceivedCarpPacket(interface: "lan0", source: IPAddress("192.0.2.7")!, hopLimit: 255, payload: mine.encoded())))
        #expect(sim.state(0) == .master)
        #expect(sim.nodes[0].counters[.ownAdvertisement] == 2)
    }
}
