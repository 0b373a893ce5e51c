import Testing
import TandemAddress
@testable import TandemCARP

/// A package upgrade replaces the daemon: the old one hands over (`.handOver`), the new one
/// resumes as master (`resumesAsMaster`) instead of bowing out and electing again.
@Suite struct CarpHandoverTests {
    typealias Machine = CarpMachine<FakeInstant>

    @Test func handOverAdvertisesAtItsPriorityKeepsTheAddressesAndStops() {
        var m = CarpMachineTests.master(advskew: 20)
        let counter = m.nextCounter
        let actions = m.handle(.handOver, at: .seconds(5))
        guard actions.count == 1, case .send(let ad, _) = actions[0] else {
            Issue.record("unexpected actions \(actions)"); return
        }
        // Not the bow-out's 255/255: the peer must go on seeing a master.
        #expect(ad.advbase == 1 && ad.advskew == 20 && ad.counter == counter)
        #expect(!actions.contains { if case .removeAddresses = $0 { true } else { false } })
        #expect(m.isStopped && m.nextCounter == counter + 1)
        #expect(m.handle(.wakeUp, at: .seconds(10)).isEmpty)
    }

    @Test func aBackupHandsOverSilently() {
        var m = CarpMachineTests.machine(advskew: 100)
        _ = m.handle(.linkChanged(up: true), at: .zero)
        #expect(m.handle(.handOver, at: .seconds(1)).isEmpty)
        #expect(m.isStopped)
    }

    @Test func resumingEntersMasterAtTheFirstLinkUpWithTheGivenCounter() {
        var m = Machine(config: Fixture.group(advskew: 0, preempt: true), initialCounter: 7_000, resumesAsMaster: true)
        let actions = m.handle(.linkChanged(up: true), at: .seconds(1))
        guard case .transition(let t) = actions.first else { Issue.record("no transition in \(actions)"); return }
        #expect(t.from == .initial && t.to == .master && t.reason == .resumedAfterHandover)
        #expect(actions.contains(.addAddresses([Fixture.lanVIP])))
        #expect(actions.contains { if case .send(let ad, _) = $0 { ad.counter == 7_000 } else { false } })
        #expect(!m.resumesAsMaster)
    }

    @Test func aLinkDownBeforeTheFirstLinkUpCancelsTheResume() {
        var m = Machine(config: Fixture.group(advskew: 0, preempt: true), initialCounter: 1, resumesAsMaster: true)
        _ = m.handle(.linkChanged(up: false), at: .zero)
        _ = m.handle(.linkChanged(up: true), at: .seconds(1))
        #expect(m.state == .backup)
    }

    @Test func theNodeResumesOnlyTheNamedVhids() {
        let lan = Fixture.group(advskew: 0, preempt: true)
        let id = CarpGroupID(interface: lan.interface, vhid: lan.vhid)
        var node = CarpNode<FakeInstant>(groups: [lan], resumingAsMaster: [id], initialCounter: { _ in 42 })
        _ = node.handle(.link(interface: lan.interface, up: true), at: .zero)
        #expect(node.machines[id]?.state == .master)
        var fresh = CarpNode<FakeInstant>(groups: [lan], initialCounter: { _ in 42 })
        _ = fresh.handle(.link(interface: lan.interface, up: true), at: .zero)
        #expect(fresh.machines[id]?.state == .backup)
    }
}
