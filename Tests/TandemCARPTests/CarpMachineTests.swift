import Testing
import TandemAddress
@testable import TandemCARP

/// One machine driven event by event: the exact actions, in order.
@Suite struct CarpMachineTests {
    typealias Machine = CarpMachine<FakeInstant>

    static func machine(advskew: UInt8 = 0, preempt: Bool = true) -> Machine {
        Machine(config: Fixture.group(advskew: advskew, preempt: preempt), initialCounter: 500)
    }

    static func ad(advbase: UInt8 = 1, advskew: UInt8, counter: UInt64 = 9) -> CarpAdvertisement {
        .signed(vhid: 1, advbase: advbase, advskew: advskew, counter: counter, key: Fixture.key,
                addresses: [Fixture.lanVIP.address])
    }

    static func master(advskew: UInt8 = 0) -> Machine {
        var m = machine(advskew: advskew)
        _ = m.handle(.linkChanged(up: true), at: .zero)
        _ = m.handle(.wakeUp, at: .seconds(4))
        precondition(m.state == .master)
        return m
    }

    @Test func startsInInitAndWaitsForLink() {
        var m = Self.machine(advskew: 100)
        #expect(m.state == .initial)
        #expect(m.handle(.wakeUp, at: .seconds(10)).isEmpty)
        #expect(m.handle(.advertisementReceived(Self.ad(advskew: 200)), at: .seconds(10)).isEmpty)
        let actions = m.handle(.linkChanged(up: true), at: .seconds(10))
        #expect(m.state == .backup)
        let due = FakeInstant.seconds(10).advanced(by: .nanoseconds(Int64(3 * 256 + 100) * 3_906_250))
        #expect(actions.count == 2)
        #expect(actions.last == .wakeUp(at: due))
        guard case .transition(let t) = actions.first else { Issue.record("no transition"); return }
        #expect(t.logLine == "1@lan0: INIT -> BACKUP (initialization complete)")
    }

    @Test func takingOverAddsAdvertisesAnnouncesInThatOrder() {
        var m = Self.machine()
        _ = m.handle(.linkChanged(up: true), at: .zero)
        // Early wake-up: nothing happens, the machine repeats its deadline.
        #expect(m.handle(.wakeUp, at: .seconds(2)) == [.wakeUp(at: .seconds(3))])
        let actions = m.handle(.wakeUp, at: .seconds(3))
        #expect(actions.count == 5)
        guard actions.count == 5, case .transition(let t) = actions[0], case .send(let ad, let families) = actions[2] else {
            Issue.record("unexpected actions \(actions)"); return
        }
        #expect(t.from == .backup && t.to == .master && t.reason == .masterTimedOut)
        #expect(actions[1] == .addAddresses([Fixture.lanVIP]))
        #expect(ad.counter == 500 && ad.advbase == 1 && ad.advskew == 0)
        #expect(CarpHMAC.verify(ad, key: Fixture.key, addresses: [Fixture.lanVIP.address]))
        #expect(families == [.ipv4])
        #expect(actions[3] == .announce([Fixture.lanVIP.address]))
        #expect(actions[4] == .wakeUp(at: .seconds(4)))
        #expect(m.lastSentCounter == 500 && m.nextCounter == 501)
    }

    /// Two gratuitous ARPs, as pfSense/OpenBSD: at takeover and two advertisements later.
    @Test func secondAnnouncementTwoAdvertisementsLater() {
        var m = Self.machine()
        _ = m.handle(.linkChanged(up: true), at: .zero)
        var announcedAt: [Int] = []
        for second in 3...8 {
            if m.handle(.wakeUp, at: .seconds(Double(second))).contains(where: { if case .announce = $0 { true } else { false } }) {
                announcedAt.append(second)
            }
        }
        #expect(announcedAt == [3, 5])
    }

    @Test(arguments: [
        (UInt8(0), UInt8(0), CarpState.backup),    // equal: BSD steps down too
        (0, 1, .master),                            // worse: stay
        (1, 0, .backup),                            // better (we are advskew 1)
    ])
    func masterComparesAdvertisements(ourSkew: UInt8, theirSkew: UInt8, expected: CarpState) {
        var m = Self.master(advskew: ourSkew)
        let actions = m.handle(.advertisementReceived(Self.ad(advskew: theirSkew)), at: .seconds(4.5))
        #expect(m.state == expected)
        if expected == .backup {
            #expect(actions.first == .removeAddresses([Fixture.lanVIP]))
            #expect(actions.last == .wakeUp(at: FakeInstant.seconds(4.5).advanced(by: m.masterDownInterval)))
        } else {
            // Staying master after hearing a slower one: re-announce.
            #expect(actions == [.announce([Fixture.lanVIP.address])])
        }
    }

    @Test func masterStepsDownOnEqualAdvertisement() {
        var m = Self.master()
        _ = m.handle(.advertisementReceived(Self.ad(advskew: 0)), at: .seconds(4.5))
        #expect(m.state == .backup)
        #expect(m.transitions.last?.reason == .moreFrequentAdvertisement)
    }

    @Test func masterHearingABetterAdvbaseStepsDown() {
        var m = Machine(config: Fixture.group(advbase: 2, advskew: 0), initialCounter: 1)
        _ = m.handle(.linkChanged(up: true), at: .zero)
        _ = m.handle(.wakeUp, at: .seconds(6))
        #expect(m.state == .master)
        _ = m.handle(.advertisementReceived(Self.ad(advbase: 1, advskew: 254)), at: .seconds(7))
        #expect(m.state == .backup)
    }

    @Test func backupRestartsItsTimerOnEachAdvertisement() {
        var m = Self.machine(advskew: 100)
        _ = m.handle(.linkChanged(up: true), at: .zero)
        for second in 1...20 {
            let actions = m.handle(.advertisementReceived(Self.ad(advskew: 0)), at: .seconds(Double(second)))
            #expect(actions == [.wakeUp(at: FakeInstant.seconds(Double(second)).advanced(by: m.masterDownInterval))])
            // A stale wake-up from an earlier arming does nothing.
            _ = m.handle(.wakeUp, at: .seconds(Double(second)))
        }
        #expect(m.state == .backup)
    }

    @Test func linkDownDropsToInitAndRemovesVIPs() {
        var m = Self.master()
        let actions = m.handle(.linkChanged(up: false), at: .seconds(5))
        #expect(m.state == .initial)
        #expect(actions.first == .removeAddresses([Fixture.lanVIP]))
        #expect(m.transitions.last?.reason == .linkDown)
        #expect(m.deadline == nil)
        #expect(m.handle(.wakeUp, at: .seconds(9)).isEmpty)
    }

    @Test(arguments: [(0, UInt8(0)), (100, 100), (240, 240), (500, 240), (-50, 0)])
    func demotionIsAddedToAdvskewAndClamped(demotion: Int, sent: UInt8) {
        var m = Self.master()
        let actions = m.handle(.setDemotion(demotion), at: .seconds(4.5))
        #expect(m.advertisedSkew == sent)
        if sent == 0 {
            #expect(actions.isEmpty)  // unchanged priority: nothing to tell the peer early
        } else {
            guard case .send(let ad, _) = actions.first else { Issue.record("no advertisement"); return }
            #expect(ad.advskew == sent)
        }
        // The master-down interval keeps the configured advskew (FreeBSD carp_setrun).
        #expect(m.masterDownInterval == .seconds(3))
    }

    @Test func maintenanceAdvertises240AndPersistsInBackup() {
        var m = Self.master(advskew: 100)
        let actions = m.handle(.setMaintenance(true), at: .seconds(4.5))
        guard case .send(let ad, _) = actions.first else { Issue.record("no advertisement"); return }
        #expect(ad.advskew == 240)
        #expect(m.configuredSkew == 254)
        var backup = Machine(config: Fixture.group(advskew: 0), initialCounter: 1, maintenance: true)
        _ = backup.handle(.linkChanged(up: true), at: .zero)
        #expect(backup.deadline == FakeInstant.steps(3 * 256 + 254))
    }

    @Test func shutdownOfABackupSendsNothing() {
        var m = Self.machine()
        _ = m.handle(.linkChanged(up: true), at: .zero)
        let actions = m.handle(.shutdown, at: .seconds(1))
        #expect(actions.count == 1)
        #expect(m.state == .initial && m.isStopped)
        #expect(m.handle(.linkChanged(up: true), at: .seconds(2)).isEmpty)
    }

    @Test func transitionHistoryIsBounded() {
        var m = Self.machine()
        for i in 0..<100 {
            _ = m.handle(.linkChanged(up: i % 2 == 0), at: .seconds(Double(i)))
        }
        #expect(m.transitions.count == Machine.transitionHistoryLimit)
        #expect(m.transitions.last?.time == .seconds(99))
    }

    @Test func ipv6VIPsAreAdvertisedOnBothFamilies() throws {
        let config = try CarpGroupConfig(vhid: 9, interface: "lan0", key: Fixture.key,
                                         addresses: [Fixture.lanVIP, IPNetwork("2001:db8::1/64")!])
        var m = Machine(config: config, initialCounter: 0)
        _ = m.handle(.linkChanged(up: true), at: .zero)
        let actions = m.handle(.wakeUp, at: .seconds(3))
        #expect(actions.contains { if case .send(_, let f) = $0 { f == [.ipv4, .ipv6] } else { false } })
    }
}
