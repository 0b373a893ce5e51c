import Testing
@testable import TandemStateSync

/// Who owns a mirrored flow after a failover: the node that carries the traffic keeps the
/// peer's flows in its kernel and gives them back to the peer when it returns (fake clock,
/// simulated link; node 0 is the master that fails, node 1 the backup that takes over).
@Suite struct SyncCoreTakeoverTests {
    /// Node 0 holds 40 flows, mirrored in node 1's table.
    static func mirrored() -> SyncSimulation {
        let sim = SyncCoreTests.started()
        for i in 0..<40 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(100))
        #expect(sim.converged(from: 0, to: 1))
        return sim
    }

    /// The lab's failback: node 0 dies, node 1 becomes MASTER, node 0 comes back with an
    /// empty table, before or after node 1 declared it dead. Either way node 0 gets every
    /// flow back in its initial bulk and node 1 keeps them in its kernel.
    @Test(arguments: [Duration.milliseconds(500), .seconds(5)])
    func masterThatTookOverGivesTheFlowsBackToTheRestartedPeer(downFor: Duration) {
        let sim = Self.mirrored()
        sim.nodes[0].running = false
        sim.perform(1, .carrying(true))
        sim.run(for: downFor)
        sim.restart(0, session: 0xA000_0000_0000_0002, keepLocal: false)
        #expect(sim.nodes[0].core.status.initialBulkPending)
        sim.run(for: .seconds(1))
        #expect(sim.nodes[0].notices.contains(.initialBulk(.completed)))
        #expect(sim.nodes[1].notices.contains(.adoptKernelTable), "the states come from node 1's kernel")
        #expect(sim.nodes[1].core.remoteFlows.isEmpty)
        #expect(sim.nodes[1].applied.count == 40, "node 1's kernel lost flows it carries")
        #expect(sim.nodes[1].core.localFlows.count == 40)
        #expect(sim.nodes[0].applied.count == 40, "the restarted node did not get the flows back")
        #expect(sim.converged(from: 1, to: 0))
        #expect(sim.nodes[1].core.counters.flowsPrunedByBulk == 0)
    }

    /// On a backup (not carrying), a restarted peer's bulk is the truth: what it no longer
    /// has ended while it was away and leaves this kernel.
    @Test func backupPrunesWhatTheRestartedPeerNoLongerHas() {
        let sim = Self.mirrored()
        sim.nodes[0].running = false
        sim.run(for: .milliseconds(500))
        sim.restart(0, session: 0xA000_0000_0000_0002, keepLocal: false)
        for i in 0..<30 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .seconds(1))
        #expect(sim.nodes[1].applied.count == 30)
        #expect(sim.nodes[1].core.counters.flowsPrunedByBulk == 10)
        #expect(sim.converged(from: 0, to: 1))
    }

    /// The sync link fails for 4 s and node 1 does what the daemon does on `peerDown`:
    /// reports its kernel table (the peer's flows included) as its own.
    static func linkFailedAndTableAdopted() -> SyncSimulation {
        let sim = Self.mirrored()
        sim.link.up = false
        sim.run(for: .seconds(4))
        #expect(sim.nodes[1].notices.contains(.peerDown))
        for flow in sim.nodes[1].applied.values { sim.perform(1, .localUpdate(flow)) }
        #expect(sim.nodes[1].core.localFlows.count == 40)
        return sim
    }

    /// Only the sync link fails: node 1 adopted the silent peer's flows, but it did not take
    /// the traffic over, so when the link returns the peer's deletions still remove them,
    /// and the copies node 1 sent of them leave the peer's replica.
    @Test func backupHonoursDeletionsAfterTheSyncLinkReturns() {
        let sim = Self.linkFailedAndTableAdopted()
        for i in 0..<5 { sim.perform(0, .localDelete(Flows.tcp(i).key)) }
        sim.link.up = true
        sim.run(for: .seconds(3))
        #expect(sim.nodes[1].applied.count == 35)
        #expect(sim.nodes[1].core.localFlows.count == 35)
        #expect(sim.nodes[0].core.remoteFlows.count == 35)
    }

    /// The same link failure on a node that became MASTER meanwhile: the connections run
    /// through it, so the old master's deletions do not take them away.
    @Test func carryingNodeKeepsAdoptedFlowsThePeerDeletes() {
        let sim = Self.linkFailedAndTableAdopted()
        sim.perform(1, .carrying(true))
        for i in 0..<5 { sim.perform(0, .localDelete(Flows.tcp(i).key)) }
        sim.link.up = true
        sim.run(for: .seconds(3))
        #expect(sim.nodes[1].applied.count == 40)
    }
}
