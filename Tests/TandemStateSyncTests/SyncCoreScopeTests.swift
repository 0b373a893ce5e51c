import Testing
import TandemAddress
@testable import TandemStateSync

/// The peer's flows pass this node's scope before they are injected (issue 16 item 6):
/// flows to its own or VIP services, foreign zones and reserved mark bits are refused and
/// counted, timeouts are capped at the kernel's ceiling. Fake clock, simulated link.
@Suite struct SyncCoreScopeTests {
    static let nodeAddress = IPAddress("192.0.2.222")!
    static let vip = IPAddress("192.0.2.254")!
    static let reserved: UInt32 = 0x8000_0000
    static let scope = FlowScope(nodeAddresses: [nodeAddress], serviceAddresses: [vip], zones: [0],
                                 reservedMarkBits: reserved)

    /// Node 1 receives with `scope`; node 0 sends everything (a peer holding the key that
    /// does not filter).
    static func started() -> SyncSimulation {
        let sim = SyncSimulation()
        sim.nodes[1] = SyncSimulation.Node(core: SyncCore(scope: scope, session: 0xB000_0000_0000_0001))
        sim.perform(0, .start)
        sim.perform(1, .start)
        sim.run(for: .milliseconds(100))
        return sim
    }

    /// A forwarded flow with one address replaced.
    static func flow(_ i: Int, source: IPAddress? = nil, destination: IPAddress? = nil) -> FlowState {
        var f = Flows.tcp(i)
        f.mark = 0
        if let source { f.original.source = source; f.reply.destination = source }
        if let destination { f.original.destination = destination; f.reply.source = destination }
        return f
    }

    @Test func outOfScopeFlowsAreNeitherInjectedNorKept() {
        let sim = Self.started()
        var zoned = Flows.tcp(5); zoned.zone = 3
        var marked = Flows.tcp(6); marked.mark = Self.reserved | 1
        var carp = Self.flow(7); carp.l4proto = 112
        let refused: [(FlowState, FlowRefusal)] = [
            (Self.flow(1, destination: Self.nodeAddress), .nodeAddress),       // ssh to the node
            (Self.flow(2, destination: Self.vip), .serviceAddress),            // DNS on the VIP
            (Self.flow(3, source: Self.vip), .serviceAddress),                 // from the VIP
            (Self.flow(4, destination: IPAddress("224.0.0.251")!), .multicastOrLoopback),
            (zoned, .zone), (marked, .reservedMark), (carp, .carp),
        ]
        for (flow, _) in refused { sim.perform(0, .localUpdate(flow)) }
        let forwarded = Self.flow(10)
        sim.perform(0, .localUpdate(forwarded))
        sim.run(for: .milliseconds(100))
        let node = sim.nodes[1]
        #expect(node.applied.keys.sorted { "\($0)" < "\($1)" } == [forwarded.key])
        #expect(node.core.remoteFlows.keys.sorted { "\($0)" < "\($1)" } == [forwarded.key])
        for reason in Set(refused.map(\.1)) {
            #expect(node.core.counters.flowsRefused[reason] == refused.filter { $0.1 == reason }.count, "\(reason)")
        }
    }

    /// A delete of a key that was refused must not reach the kernel: it may be this node's
    /// own connection of the same key.
    @Test func deleteOfARefusedKeyDoesNothing() {
        let sim = Self.started()
        let ssh = Self.flow(1, destination: Self.nodeAddress)
        sim.perform(0, .localUpdate(ssh))
        sim.run(for: .milliseconds(50))
        sim.nodes[1].applied[ssh.key] = ssh   // this node's own entry of that key
        sim.perform(0, .localDelete(ssh.key))
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[1].applied[ssh.key] == ssh)
        #expect(!sim.nodes[1].notices.contains(.remove(ssh.key)))
    }

    /// A flow that was in scope and changes to a reserved mark leaves the kernel.
    @Test func flowThatLeavesTheScopeIsRemoved() {
        let sim = Self.started()
        var f = Self.flow(1)
        sim.perform(0, .localUpdate(f))
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[1].applied[f.key] != nil)
        f.mark = Self.reserved
        sim.perform(0, .localUpdate(f))
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[1].applied[f.key] == nil)
        #expect(sim.nodes[1].core.remoteFlows[f.key] == nil)
    }

    /// Timeouts beyond the protocol's ceiling are cut; the replica keeps the peer's state,
    /// so the table digests still agree.
    @Test func timeoutsAreCappedAndTheTablesStillAgree() {
        let sim = Self.started()
        let long = Flows.tcp(1, timeout: .max)
        var udp = Flows.udp6(2); udp.zone = 0; udp.timeout = 86_400
        sim.perform(0, .localUpdate(long))
        sim.perform(0, .localUpdate(udp))
        sim.run(for: .seconds(12))
        #expect(sim.nodes[1].applied[long.key]?.timeout == 432_000)
        #expect(sim.nodes[1].applied[udp.key]?.timeout == 120)
        #expect(sim.nodes[1].core.counters.timeoutsCapped == 2)
        #expect(sim.nodes[1].core.agreement.state == .agree)
    }

    @Test func ceilingsFollowTheNodesSysctls() {
        let ceilings = TimeoutCeilings.reading { name in
            ["nf_conntrack_tcp_timeout_established": 7200, "nf_conntrack_udp_timeout_stream": 300,
             "nf_conntrack_udp_timeout": 30][name]
        }
        #expect(ceilings.ceiling(for: 6) == 7200)
        #expect(ceilings.ceiling(for: 17) == 300)
        #expect(ceilings.ceiling(for: 1) == 30)
        #expect(ceilings.ceiling(for: 99) == 600)
    }
}
