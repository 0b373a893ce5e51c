import Testing
@testable import TandemStateSync
import TandemTestSupport

/// The periodic table-agreement check (SyncCore+Agreement.swift) between two simulated nodes
/// with a fake clock: agreement after convergence, a corrupted replica detected and repaired,
/// and no false alarm while records are in flight, lost, reordered or superseded.
@Suite struct SyncCoreAgreementTests {
    static func filled(_ count: Int = 50, seed: UInt64 = 1) -> SyncSimulation {
        let sim = SyncCoreTests.started(seed: seed)
        for i in 0..<count { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        for i in 0..<7 { sim.perform(1, .localUpdate(Flows.udp6(i))) }
        sim.run(for: .seconds(11))
        return sim
    }

    @Test func convergedTablesAgree() {
        let sim = Self.filled()
        for (node, expected) in [(1, 50), (0, 7)] {
            let core = sim.nodes[node].core
            #expect(core.agreement.state == .agree, "node \(node): \(core.agreement)")
            #expect(core.agreement.peerFlows == expected)
            #expect(core.agreement.replicaFlows == expected)
            #expect(core.counters.digestsCompared >= 2)
            #expect(core.counters.disagreements == 0)
            #expect(core.status.agreement == core.agreement)
        }
        #expect(sim.nodes[0].core.counters.digestsSent >= 2)
    }

    @Test func agreementIsUnknownUntilTheFirstComparison() {
        let sim = SyncCoreTests.started()
        #expect(sim.nodes[1].core.agreement.state == .unknown)
        #expect(sim.nodes[1].core.status.summaryLines.contains { $0.contains("agreement unknown") })
    }

    /// A flow the peer never had, and a flow in a state it does not have: both differ, with
    /// the counts of both sides; after `bulkAfterDisagreements` comparisons in a row the node
    /// asks for a bulk, which repairs the replica.
    @Test(arguments: [true, false])
    func corruptedReplicaIsDetectedAndRepaired(extraFlow: Bool) {
        let sim = Self.filled()
        let agreedSince = sim.nodes[1].core.agreement.since
        if extraFlow {
            sim.nodes[1].core.remoteFlows[Flows.tcp(5000).key] = TableDigest.hash(Flows.tcp(5000))
        } else {
            sim.nodes[1].core.remoteFlows[Flows.tcp(3).key] = TableDigest.hash(Flows.tcp(3, state: 7))
        }
        sim.run(for: .seconds(5))
        let a = sim.nodes[1].core.agreement
        #expect(a.state == .differ)
        #expect(a.peerFlows == 50)
        #expect(a.replicaFlows == (extraFlow ? 51 : 50))
        #expect(a.since != agreedSince)
        #expect(sim.nodes[1].core.status.summaryLines.contains { $0.contains("differ: the peer reports 50 flows") })
        // Two more disagreeing comparisons, then the bulk; the next comparison agrees.
        sim.run(for: .seconds(16))
        #expect(sim.nodes[1].core.counters.disagreements == 3)
        #expect(sim.nodes[1].core.counters.bulksRequestedOnDisagreement == 1)
        #expect(sim.converged(from: 0, to: 1) || !extraFlow)
        #expect(sim.nodes[1].core.remoteFlows == sim.nodes[0].core.localFlows.mapValues(TableDigest.hash))
        #expect(sim.nodes[1].core.agreement.state == .agree)
    }

    @Test func noBulkWhenDisabled() {
        var config = SyncConfiguration()
        config.bulkAfterDisagreements = 0
        let sim = SyncCoreTests.started(config)
        for i in 0..<10 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .seconds(6))
        sim.nodes[1].core.remoteFlows[Flows.tcp(9).key] = nil
        sim.run(for: .seconds(20))
        #expect(sim.nodes[1].core.agreement.state == .differ)
        #expect(sim.nodes[1].core.agreement.replicaFlows == 9)
        #expect(sim.nodes[1].core.counters.disagreements >= 4)
        #expect(sim.nodes[1].core.counters.bulksRequestedOnDisagreement == 0)
    }

    /// Records still on their way when the digest arrives: the comparison waits for them and
    /// then agrees; it is not made too late either (records beyond the position already in).
    @Test func digestWaitsForTheRecordsBelowItsPosition() {
        var core = SyncCore(session: 5)
        let peer: UInt64 = 6
        func datagram(_ packet: UInt64, sent: UInt32, _ records: [SyncRecord]) -> SyncEvent {
            .received(SyncDatagram(session: peer, peerSession: 5, packet: packet, sent: sent, ack: 1, records: records))
        }
        let t = SyncTime(nanoseconds: 1_000_000_000)
        _ = core.handle(.received(SyncDatagram(session: peer, peerSession: 0, packet: 1, sent: 1, ack: 0)), now: t)
        let flows = (0..<3).map { Flows.tcp($0) }
        let summary = TableSummary(position: 4, digest: TableDigest(flows))
        // Record 1 arrives, records 2 and 3 are late; the digest (position 4) overtakes them.
        _ = core.handle(datagram(2, sent: 2, [.update(seq: 1, flows[0])]), now: t)
        _ = core.handle(datagram(4, sent: 4, [.digest(summary)]), now: t)
        #expect(core.agreement.state == .unknown)
        #expect(core.pendingDigest != nil)
        // Records 2, 3 and a record 4 beyond the position arrive together.
        _ = core.handle(datagram(3, sent: 5, [.update(seq: 2, flows[1]), .update(seq: 3, flows[2]),
                                              .update(seq: 4, Flows.tcp(99))]), now: t)
        #expect(core.agreement.state == .agree)
        #expect(core.agreement.peerFlows == 3)
        #expect(core.remoteFlows.count == 4, "record 4 delivered after the comparison")
        #expect(core.counters.digestsSkipped == 0)
    }

    /// A record below the position answered with `void` (lost, then superseded after the digest
    /// was taken): the comparison is skipped, not a disagreement.
    @Test func voidBelowThePositionSkipsTheComparison() {
        var core = SyncCore(session: 5)
        let peer: UInt64 = 6
        let t = SyncTime(nanoseconds: 1_000_000_000)
        _ = core.handle(.received(SyncDatagram(session: peer, peerSession: 0, packet: 1, sent: 1, ack: 0)), now: t)
        let summary = TableSummary(position: 3, digest: TableDigest([Flows.tcp(0), Flows.tcp(1)]))
        _ = core.handle(.received(SyncDatagram(session: peer, peerSession: 5, packet: 2, sent: 3, ack: 1,
                                               records: [.update(seq: 1, Flows.tcp(0)), .digest(summary)])), now: t)
        _ = core.handle(.received(SyncDatagram(session: peer, peerSession: 5, packet: 3, sent: 4, ack: 1,
                                               records: [.void(SequenceRange(2, 2)), .update(seq: 3, Flows.tcp(1, state: 5))])), now: t)
        #expect(core.agreement.state == .unknown)
        #expect(core.counters.digestsSkipped == 1)
        #expect(core.counters.disagreements == 0)
    }

    @Test func digestBeyondTheAnnouncedPositionIsRejected() {
        var core = SyncCore(session: 5)
        let t = SyncTime(nanoseconds: 1)
        _ = core.handle(.received(SyncDatagram(session: 6, peerSession: 0, packet: 1, sent: 1, ack: 0)), now: t)
        let digest = SyncRecord.digest(TableSummary(position: 9, digest: TableDigest()))
        _ = core.handle(.received(SyncDatagram(session: 6, peerSession: 5, packet: 2, sent: 8, ack: 1, records: [digest])), now: t)
        let ok = SyncRecord.digest(TableSummary(position: 1, digest: TableDigest()))
        _ = core.handle(.received(SyncDatagram(session: 6, peerSession: 5, packet: 3, sent: 1, ack: 1, records: [ok, ok])), now: t)
        #expect(core.counters.rejected[.badDigest] == 2)
        #expect(core.agreement.state == .unknown)
    }

    /// Churn on both nodes over a lossy, reordering, duplicating link: many comparisons, not one
    /// disagreement; once the churn stops the tables agree.
    @Test(arguments: Array(1...6) as [UInt64])
    func noFalseAlarmUnderLossAndChurn(seed: UInt64) {
        let sim = SyncCoreTests.started(seed: seed)
        sim.link.loss = 0.05
        sim.link.reorder = 0.2
        sim.link.duplicate = 0.02
        var rng = SplitMix64(seed: seed &+ 77)
        for _ in 0..<600 {   // 30 s of churn in 50 ms steps
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let i = Int.random(in: 0..<300, using: &rng)
                let node = Int.random(in: 0...1, using: &rng)
                let flow = node == 0 ? Flows.tcp(i, state: UInt8.random(in: 1...7, using: &rng)) : Flows.udp6(i)
                sim.perform(node, Int.random(in: 0..<4, using: &rng) == 0 ? .localDelete(flow.key) : .localUpdate(flow))
            }
            sim.run(for: .milliseconds(50))
        }
        let compared = sim.nodes.map { $0.core.counters.digestsCompared }
        sim.link = SyncSimulation.Link()
        sim.run(for: .seconds(11))
        for node in sim.nodes {
            #expect(node.core.counters.disagreements == 0, "seed \(seed): \(node.core.counters)")
            #expect(node.core.agreement.state == .agree)
        }
        #expect(compared.allSatisfy { $0 >= 2 }, "seed \(seed): comparisons during the churn \(compared)")
        #expect(sim.converged(from: 0, to: 1) && sim.converged(from: 1, to: 0))
    }

    @Test func digestIsOrderIndependentAndSeesEveryField() {
        let flows = (0..<20).map { Flows.tcp($0) } + (0..<5).map { Flows.udp6($0) }
        #expect(TableDigest(flows) == TableDigest(flows.reversed()))
        #expect(TableDigest(flows).count == 25)
        var changed = flows
        changed[3].timeout += 1
        #expect(TableDigest(changed) != TableDigest(flows))
        changed = flows
        changed[21].reply.sourcePort ^= 1
        #expect(TableDigest(changed) != TableDigest(flows))
        // Two copies of one flow do not cancel out (a sum, not a xor).
        #expect(TableDigest([flows[0], flows[0]]).sum != 0)
        // The replica sums stored hashes: the same summary as from the states.
        #expect(TableDigest(hashes: flows.map(TableDigest.hash)) == TableDigest(flows))
        // Fixed, not per-process: a known value.
        #expect(TableDigest.hash(flows[0]) == 7_223_002_716_224_185_268, "the hash is part of the wire protocol")
    }
}
