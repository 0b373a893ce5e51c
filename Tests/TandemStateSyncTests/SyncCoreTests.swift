import Testing
@testable import TandemStateSync
import TandemTestSupport

/// The protocol core between two simulated nodes (fake clock, seeded lossy link).
@Suite struct SyncCoreTests {
    /// Both nodes started and introduced to each other.
    static func started(_ configuration: SyncConfiguration = SyncConfiguration(), seed: UInt64 = 1) -> SyncSimulation {
        let sim = SyncSimulation(configuration: configuration, seed: seed)
        sim.perform(0, .start)
        sim.perform(1, .start)
        sim.run(for: .milliseconds(100))
        return sim
    }

    @Test func startUpBulkCompletesBetweenEmptyNodes() {
        let sim = Self.started()
        for node in sim.nodes {
            #expect(node.notices.contains(.initialBulk(.completed)))
            #expect(node.notices.contains(.peerUp))
            #expect(!node.core.status.initialBulkPending)
            #expect(node.core.status.lastBulkCompleted != nil)
        }
    }

    @Test func replicatesUpdatesAndDeletes() {
        let sim = Self.started()
        for i in 0..<100 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        for i in 0..<10 { sim.perform(1, .localUpdate(Flows.udp6(i))) }
        sim.run(for: .milliseconds(50))
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.converged(from: 1, to: 0))
        for i in 0..<50 { sim.perform(0, .localDelete(Flows.tcp(i).key)) }
        sim.perform(0, .localUpdate(Flows.tcp(60, state: 5)))
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[1].core.remoteFlows.count == 50)
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.nodes[0].core.status.resendQueue == 0, "everything acknowledged")
        #expect(sim.nodes[1].core.counters.nacksSent == 0, "no loss, no NACK")
        #expect(sim.nodes[0].core.counters.recordsResent == 0)
    }

    /// The replica keeps a hash per flow: a repeated state (a resend, a bulk of an unchanged
    /// table) is not injected again, a changed one is.
    @Test func replicaInjectsOnlyChangedStates() {
        let sim = Self.started()
        sim.perform(0, .localUpdate(Flows.tcp(1)))
        sim.run(for: .milliseconds(50))
        func applies() -> Int { sim.nodes[1].notices.filter { if case .apply = $0 { true } else { false } }.count }
        #expect(applies() == 1)
        sim.perform(1, .requestBulk)
        sim.run(for: .milliseconds(100))
        #expect(sim.nodes[1].core.counters.bulksReceived >= 2, "the start-up bulk and this one")
        #expect(applies() == 1, "the bulk repeated the same state")
        sim.perform(0, .localUpdate(Flows.tcp(1, state: 4)))
        sim.run(for: .milliseconds(50))
        #expect(applies() == 2)
        #expect(sim.nodes[1].applied[Flows.tcp(1).key] == Flows.tcp(1, state: 4))
        #expect(sim.nodes[1].core.remoteFlows[Flows.tcp(1).key] == TableDigest.hash(Flows.tcp(1, state: 4)))
    }

    @Test func batchesRecordsUpToTheDatagramSize() {
        var config = SyncConfiguration()
        config.maximumDatagram = 1472
        let sim = Self.started(config)
        let before = sim.nodes[0].core.counters.datagramsSent
        for i in 0..<260 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.perform(0, .flush)
        let sent = sim.wire[0].suffix(sim.nodes[0].core.counters.datagramsSent - before)
        #expect(sent.allSatisfy { $0.count <= 1472 })
        // 26 records of 53 bytes fit 1472 - 56; 260 records need 10 datagrams.
        #expect(sent.count == 10)
        sim.run(for: .milliseconds(50))
        #expect(sim.converged(from: 0, to: 1))
    }

    @Test func laterUpdateReplacesQueuedOne() {
        let sim = Self.started()
        sim.link.up = false
        sim.perform(0, .localUpdate(Flows.tcp(1, state: 3)))
        sim.run(for: .milliseconds(20))
        for state: UInt8 in [4, 5, 6, 7] { sim.perform(0, .localUpdate(Flows.tcp(1, state: state))) }
        #expect(sim.nodes[0].core.status.resendQueue == 1)
        sim.link.up = true
        sim.run(for: .milliseconds(500))
        #expect(sim.nodes[1].applied[Flows.tcp(1).key]?.tcp?.state == 7)
        #expect(sim.nodes[1].core.remoteFlows[Flows.tcp(1).key] == TableDigest.hash(Flows.tcp(1, state: 7)))
        #expect(sim.converged(from: 0, to: 1))
    }

    @Test func recoversFromLossReorderingAndDuplication() {
        let sim = Self.started(seed: 7)
        sim.link.loss = 0.2
        sim.link.reorder = 0.3
        sim.link.duplicate = 0.2
        for round in 0..<20 {
            for i in 0..<50 { sim.perform(0, .localUpdate(Flows.tcp(i, state: UInt8(round % 8)))) }
            for i in 0..<(round % 10) { sim.perform(0, .localDelete(Flows.tcp(i * 5).key)) }
            sim.run(for: .milliseconds(13))
        }
        sim.run(for: .seconds(3))
        #expect(sim.converged(from: 0, to: 1))
        let c = sim.nodes[1].core.counters
        #expect(c.nacksSent > 0)
        #expect(c.duplicateRecords > 0)
        #expect(sim.nodes[0].core.counters.recordsResent > 0)
    }

    /// A burst far larger than the receiver's reorder window: the sender keeps to the
    /// window, so nothing is dropped for being too far ahead, and losses cost only their
    /// own resends.
    @Test func burstLargerThanTheWindowIsPaced() {
        var config = SyncConfiguration()
        config.reorderWindow = 256
        let sim = Self.started(config, seed: 5)
        for i in 0..<3000 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .seconds(1))
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.nodes[1].core.counters.recordsOutOfWindow == 0)
        #expect(sim.nodes[0].core.counters.recordsResent == 0)
        sim.link.loss = 0.05
        for i in 0..<3000 { sim.perform(0, .localUpdate(Flows.tcp(i, state: 4))) }
        sim.run(for: .seconds(3))
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.nodes[0].core.counters.recordsResent < 600)
    }

    @Test func lostTailIsFoundByKeepalive() {
        let sim = Self.started()
        sim.link.loss = 1
        sim.perform(0, .localUpdate(Flows.tcp(1)))
        sim.perform(0, .flush)
        sim.link.loss = 0
        sim.run(for: .seconds(2))
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.nodes[1].core.counters.nacksSent >= 1)
    }

    /// 5 % random loss both ways, deterministic seed: after the protocol settles the peer's
    /// table equals the sender's.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func convergesUnderFivePercentLoss(seed: UInt64) {
        let sim = Self.started(seed: seed)
        sim.link.loss = 0.05
        sim.link.reorder = 0.1
        var rng = SplitMix64(seed: seed)
        for _ in 0..<40 {
            for _ in 0..<100 {
                let i = Int.random(in: 0..<2000, using: &rng)
                if Int.random(in: 0..<5, using: &rng) == 0 {
                    sim.perform(0, .localDelete(Flows.tcp(i).key))
                } else {
                    sim.perform(0, .localUpdate(Flows.tcp(i, state: UInt8.random(in: 1...7, using: &rng))))
                }
            }
            sim.run(for: .milliseconds(10))
        }
        sim.run(for: .seconds(5))
        #expect(sim.nodes[0].core.localFlows.count > 500)
        #expect(sim.converged(from: 0, to: 1))
    }

    @Test func peerDeathAndReturn() {
        let sim = Self.started()
        sim.link.up = false
        sim.run(for: .seconds(4))
        #expect(sim.nodes[0].notices.last == .peerDown)
        #expect(!sim.nodes[0].core.status.peerAlive)
        for i in 0..<30 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.link.up = true
        sim.run(for: .seconds(2))
        #expect(sim.nodes[0].notices.last == .peerUp)
        #expect(sim.converged(from: 0, to: 1))
    }

    @Test func restartedPeerGetsEverythingAndStaleFlowsArePruned() {
        let sim = Self.started()
        for i in 0..<200 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        for i in 0..<20 { sim.perform(1, .localUpdate(Flows.udp6(i))) }
        sim.run(for: .milliseconds(100))
        #expect(sim.converged(from: 1, to: 0))
        // Node 1 restarts; ten of its flows ended while it was down.
        sim.nodes[1].running = false
        sim.run(for: .seconds(1))
        sim.restart(1, session: 0xB000_0000_0000_0002, keepLocal: false)
        for i in 10..<20 { sim.perform(1, .localUpdate(Flows.udp6(i))) }
        #expect(sim.nodes[1].core.status.initialBulkPending)
        sim.run(for: .seconds(1))
        #expect(sim.nodes[0].core.counters.peerRestarts == 1)
        #expect(sim.nodes[0].notices.contains(.peerRestarted))
        #expect(sim.nodes[1].notices.contains(.initialBulk(.completed)))
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.converged(from: 1, to: 0))
        #expect(sim.nodes[0].core.counters.flowsPrunedByBulk == 10)
    }

    @Test func restartDuringLossStillConverges() {
        let sim = Self.started(seed: 11)
        for i in 0..<300 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(100))
        sim.link.loss = 0.1
        sim.restart(1, session: 0xB000_0000_0000_0003)
        sim.run(for: .seconds(3))
        #expect(sim.converged(from: 0, to: 1))
    }

    @Test func initialBulkTimesOutWhenThePeerNeverAnswers() {
        let sim = SyncSimulation()
        sim.perform(0, .start)
        #expect(sim.nodes[0].core.status.initialBulkPending)
        sim.nodes[1].running = false
        sim.run(for: .seconds(29))
        #expect(!sim.nodes[0].notices.contains(.initialBulk(.timedOut)))
        sim.run(for: .seconds(2))
        #expect(sim.nodes[0].notices == [.initialBulk(.timedOut)])
        #expect(!sim.nodes[0].core.status.initialBulkPending)
        // Requests were repeated every 5 s with a new id.
        #expect(sim.nodes[0].core.bulkRequest >= 6)
    }

    @Test func fullResendQueueFallsBackToBulk() {
        var config = SyncConfiguration()
        config.resendQueueLimit = 64
        config.bulkChunk = 16
        let sim = Self.started(config)
        for i in 0..<40 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(50))
        sim.link.up = false
        for i in 40..<200 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        for i in 0..<20 { sim.perform(0, .localDelete(Flows.tcp(i).key)) }
        #expect(sim.nodes[0].core.counters.resendQueueOverflows >= 1)
        #expect(sim.nodes[0].core.status.resendQueue <= 64)
        sim.link.up = true
        sim.run(for: .seconds(5))
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.nodes[0].core.status.resendQueue == 0)
        #expect(sim.nodes[1].core.counters.flowsPrunedByBulk >= 1 || sim.nodes[1].core.remoteFlows[Flows.tcp(0).key] == nil)
    }

    @Test func forgedDatagramsChangeNothing() {
        let sim = Self.started()
        for i in 0..<10 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(50))
        let before = sim.nodes[1].core.remoteFlows
        let forger = SyncCodec(key: try! SyncKey(secret: Array("guessed".utf8)))
        let forged = SyncDatagram(session: sim.nodes[0].core.session, peerSession: sim.nodes[1].core.session,
                                  packet: 10_000, sent: 100_000, ack: 1, records: [.update(seq: 99_999, Flows.tcp(999))])
        sim.inject(forger.encode(forged), to: 1)
        sim.inject([1, 2, 3], to: 1)
        sim.run(for: .milliseconds(10))
        #expect(sim.nodes[1].core.remoteFlows == before)
        #expect(sim.nodes[1].core.counters.rejected[.badAuthentication] == 1)
        #expect(sim.nodes[1].core.counters.rejected[.truncated] == 1)
    }

    @Test func replayedDatagramsChangeNothing() {
        let sim = Self.started()
        sim.perform(0, .localUpdate(Flows.tcp(1)))
        sim.run(for: .milliseconds(50))
        let update = sim.wire[0].last { d in (try? sim.codecs[1].decode(d).get())?.records.isEmpty == false }!
        sim.perform(0, .localDelete(Flows.tcp(1).key))
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[1].core.remoteFlows.isEmpty)
        sim.inject(update, to: 1)
        sim.run(for: .milliseconds(10))
        #expect(sim.nodes[1].core.remoteFlows.isEmpty)
        #expect(sim.nodes[1].core.counters.rejected[.replayed] == 1)
    }

    @Test func replayFromAnEarlierPeerSessionIsRejected() {
        let sim = Self.started()
        sim.perform(1, .localUpdate(Flows.tcp(5)))
        sim.run(for: .milliseconds(50))
        let old = sim.wire[1]
        sim.restart(1, session: 0xB000_0000_0000_0009, keepLocal: false)
        sim.run(for: .seconds(1))
        #expect(sim.converged(from: 1, to: 0))
        let restarts = sim.nodes[0].core.counters.peerRestarts
        for bytes in old { sim.inject(bytes, to: 0) }
        sim.run(for: .milliseconds(10))
        #expect(sim.nodes[0].core.counters.peerRestarts == restarts)
        #expect(sim.nodes[0].core.counters.rejected[.staleSession] == old.count)
        #expect(sim.converged(from: 1, to: 0))
    }

    /// Datagrams recorded before a node restarted, replayed to the fresh process, name the
    /// old process's session: they can show the peer alive but feed nothing into the table.
    @Test func replayToARestartedNodeFeedsNothing() {
        let sim = Self.started()
        for i in 0..<30 { sim.perform(1, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(100))
        for i in 0..<30 { sim.perform(1, .localDelete(Flows.tcp(i).key)) }
        sim.run(for: .milliseconds(100))
        let recorded = sim.wire[1]
        sim.link.up = false
        sim.restart(0, session: 0xA000_0000_0000_0002, keepLocal: false)
        for bytes in recorded { sim.inject(bytes, to: 0) }
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[0].core.remoteFlows.isEmpty)
        #expect(sim.nodes[0].applied.isEmpty)
        #expect(sim.nodes[0].core.status.initialBulkPending)
        sim.link.up = true
        sim.run(for: .seconds(2))
        #expect(sim.converged(from: 1, to: 0))
    }

    /// A node's own datagram reflected back does not verify under its receiving key; were
    /// both directions keyed alike, the session check would still catch it.
    @Test func reflectedOwnDatagramIsRejected() {
        let sim = Self.started()
        sim.inject(sim.wire[0].last!, to: 0)
        sim.run(for: .milliseconds(10))
        #expect(sim.nodes[0].core.counters.rejected[.badAuthentication] == 1)
        var core = sim.nodes[0].core
        let own = try! sim.codecs[1].decode(sim.wire[0].last!).get()
        _ = core.handle(.received(own), now: sim.now)
        #expect(core.counters.rejected[.ownSession] == 1)
    }

    @Test func ackOfUnsentRecordsIsRejected() {
        var core = SyncCore(session: 5)
        _ = core.handle(.received(SyncDatagram(session: 6, peerSession: 0, packet: 1, sent: 1, ack: 0)), now: .zero)
        let before = core.status
        _ = core.handle(.received(SyncDatagram(session: 6, peerSession: 5, packet: 2, sent: 1, ack: 1000)), now: .zero)
        #expect(core.counters.rejected[.badAcknowledgement] == 1)
        #expect(core.status.peerAlive == before.peerAlive)
        #expect(core.peer?.replay.allows(2) == true, "a rejected datagram does not consume its number")
    }

    @Test func bulkOnRequestIsFramedAndPrunesStaleFlows() {
        let sim = Self.started()
        for i in 0..<100 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(50))
        // Deletions lost on the way (the link is down and the queue overflows into nothing
        // else): simulate by giving node 1 a flow node 0 never had.
        sim.nodes[1].core.remoteFlows[Flows.tcp(5000).key] = TableDigest.hash(Flows.tcp(5000))
        let received = sim.nodes[1].core.counters.bulksReceived
        sim.perform(1, .requestBulk)
        #expect(sim.nodes[1].core.status.receivingBulk == false)
        sim.run(for: .milliseconds(5))
        sim.run(for: .milliseconds(100))
        #expect(sim.nodes[1].core.counters.bulksReceived == received + 1)
        #expect(sim.nodes[1].core.remoteFlows[Flows.tcp(5000).key] == nil)
        #expect(sim.nodes[1].core.remoteFlows == sim.nodes[0].core.localFlows.mapValues(TableDigest.hash))
        // The bulk spans several datagrams of one flush; none of them looks like a gap.
        #expect(sim.nodes[1].core.counters.nacksSent == 0)
    }

    /// After lost conntrack events the daemon hands the core a dump: flows missing from it
    /// (their destroy event was lost) go, changed ones are sent, unchanged ones are not.
    @Test func snapshotReplacesTheLocalTable() {
        let sim = Self.started()
        for i in 0..<10 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(50))
        let sent = sim.nodes[0].core.counters.recordsSent
        // Flow 6 only aged (its remaining timeout is lower): not sent again.
        let dump = (5..<10).map { Flows.tcp($0, timeout: $0 == 6 ? 400_000 : 432_000) } + [Flows.tcp(7, state: 5)]
            + (10..<15).map { Flows.tcp($0) }
        sim.perform(0, .localSnapshot(dump))
        sim.run(for: .milliseconds(50))
        #expect(Set(sim.nodes[0].core.localFlows.keys) == Set((5..<15).map { Flows.tcp($0).key }))
        #expect(sim.nodes[0].core.localFlows[Flows.tcp(7).key]?.tcp?.state == 5)
        #expect(sim.nodes[0].core.localFlows[Flows.tcp(6).key]?.timeout == 432_000)
        #expect(sim.converged(from: 0, to: 1))
        // 5 deletions, 1 change, 5 new flows: 11 records, nothing for the 4 unchanged flows.
        #expect(sim.nodes[0].core.counters.recordsSent - sent == 11)
        // Node 1's kernel holds node 0's flows too; its own dump leaves them to node 0.
        sim.perform(1, .localUpdate(Flows.udp6(1)))
        sim.perform(1, .localSnapshot(dump + [Flows.udp6(1), Flows.udp6(2)]))
        sim.run(for: .milliseconds(50))
        #expect(Set(sim.nodes[1].core.localFlows.keys) == [Flows.udp6(1).key, Flows.udp6(2).key])
        #expect(sim.converged(from: 1, to: 0) && sim.converged(from: 0, to: 1))
    }

    @Test func sequenceWrapStartsANewSession() {
        let sim = Self.started()
        for i in 0..<20 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(50))
        let old = sim.nodes[0].core.session
        sim.nodes[0].core.send = SendStream(limit: 131_072, firstSequence: SendStream.rotationPoint - 5)
        sim.nodes[0].core.announced = SendStream.rotationPoint - 5
        // Five more records reach the rotation point; the rest go out in the new session,
        // which the peer takes for a restart and resynchronises with a bulk.
        for i in 20..<40 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .seconds(1))
        #expect(sim.nodes[0].core.counters.sessionRotations == 1)
        #expect(sim.nodes[0].core.session != old)
        #expect(sim.nodes[1].core.status.peerSession == sim.nodes[0].core.session)
        #expect(sim.converged(from: 0, to: 1))
    }

    @Test func deadlineIsAlwaysScheduled() {
        var core = SyncCore(session: 9)
        _ = core.handle(.start, now: .zero)
        #expect(core.nextDeadline != nil)
        _ = core.handle(.tick, now: SyncTime(nanoseconds: 2_000_000_000))
        #expect(core.nextDeadline! > SyncTime(nanoseconds: 2_000_000_000))
    }
}
