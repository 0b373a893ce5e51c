import Testing
import TandemAddress
@testable import TandemCARP

/// A reload's new groups (a config push): unchanged vhids keep running untouched, a removed
/// one bows out and takes its VIP off, a changed one restarts, a new one starts.
@Suite struct CarpNodeReconfigureTests {
    static let lan = CarpGroupID(interface: "lan0", vhid: 1)
    static let wan = CarpGroupID(interface: "wan0", vhid: 143)
    static let wanVIP = IPNetwork("198.51.100.1/24")!

    static func masters() -> CarpNode<FakeInstant> {
        var node = CarpNode<FakeInstant>(groups: [Fixture.group(), Fixture.group(vhid: 143, interface: "wan0", vip: wanVIP)]) { _ in 100 }
        _ = node.handle(.link(interface: "lan0", up: true), at: .zero)
        _ = node.handle(.link(interface: "wan0", up: true), at: .zero)
        _ = node.handle(.wakeUp(lan), at: .seconds(3))
        _ = node.handle(.wakeUp(wan), at: .seconds(3))
        precondition(node.machines.values.allSatisfy { $0.state == .master })
        return node
    }

    /// What a restart would change: state, transition history, config.
    static func snapshot(_ node: CarpNode<FakeInstant>, _ id: CarpGroupID) -> String? {
        node.machines[id].map { "\($0.state) \($0.transitions.count) \($0.config)" }
    }

    @Test func unchangedGroupsAreNotTouched() {
        var node = Self.masters()
        let before = [Self.snapshot(node, Self.lan), Self.snapshot(node, Self.wan)]
        let out = node.reconfigure(groups: [Fixture.group(), Fixture.group(vhid: 143, interface: "wan0", vip: Self.wanVIP)],
                                   linkUp: { _ in true }, at: .seconds(4))
        #expect(out.started.isEmpty && out.stopped.isEmpty && out.actions.isEmpty)
        #expect([Self.snapshot(node, Self.lan), Self.snapshot(node, Self.wan)] == before)
    }

    @Test func removedGroupBowsOutAndDropsItsVIPOthersStay() {
        var node = Self.masters()
        let lanBefore = Self.snapshot(node, Self.lan)
        let out = node.reconfigure(groups: [Fixture.group()], linkUp: { _ in true }, at: .seconds(4))
        #expect(out.stopped == [Self.wan] && out.started.isEmpty)
        #expect(node.machines[Self.wan] == nil)
        #expect(Self.snapshot(node, Self.lan) == lanBefore)
        #expect(out.actions.allSatisfy { $0.0 == Self.wan })
        #expect(out.actions.contains { if case .removeAddresses(let a) = $0.1 { a == [Self.wanVIP] } else { false } })
    }

    @Test func changedGroupRestartsNewGroupStartsInBackup() {
        var node = Self.masters()
        let lanBefore = Self.snapshot(node, Self.lan)
        let out = node.reconfigure(groups: [Fixture.group(),
                                            Fixture.group(vhid: 143, interface: "wan0", advskew: 100, vip: Self.wanVIP),
                                            Fixture.group(vhid: 7, interface: "opt1", vip: IPNetwork("203.0.113.9/30")!)],
                                   linkUp: { $0 != "opt1" }, at: .seconds(4))
        #expect(out.stopped == [Self.wan])
        #expect(out.started == [CarpGroupID(interface: "opt1", vhid: 7), Self.wan])
        #expect(Self.snapshot(node, Self.lan) == lanBefore)
        #expect(node.machines[Self.wan]?.state == .backup)
        #expect(node.machines[Self.wan]?.config.advskew == 100)
        // opt1's link is down: its vhid stays in INIT and the node is demoted for it.
        #expect(node.machines[CarpGroupID(interface: "opt1", vhid: 7)]?.state == .initial)
        #expect(node.demotion == 240)
    }
}
