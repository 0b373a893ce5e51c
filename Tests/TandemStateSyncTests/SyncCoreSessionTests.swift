import Testing
@testable import TandemStateSync
import TandemTestSupport

/// Which peer session is live (issue 16 item 4): a datagram of another session replaces the
/// known peer only after it echoed this node's current challenge. Fake clock, simulated link.
@Suite struct SyncCoreSessionTests {
    /// Node 0 holds 20 flows, mirrored in node 1.
    static func mirrored() -> SyncSimulation {
        let sim = SyncCoreTests.started()
        for i in 0..<20 { sim.perform(0, .localUpdate(Flows.tcp(i))) }
        sim.run(for: .milliseconds(100))
        #expect(sim.converged(from: 0, to: 1))
        return sim
    }

    /// The attack of issue 16: node 1 restarted, so it never saw node 0's earlier session;
    /// a datagram of that session replayed to node 1 used to be adopted as a restarted peer,
    /// after which the live session was rejected as stale until node 0 restarted.
    @Test func replayOfAnOlderSessionDoesNotDisableSync() {
        let sim = Self.mirrored()
        let recorded = sim.wire[0]
        // Node 0 restarts (new session); node 1 follows it after the echo.
        sim.restart(0, session: 0xA000_0000_0000_0002)
        sim.run(for: .seconds(1))
        #expect(sim.nodes[1].core.status.peerSession == 0xA000_0000_0000_0002)
        // Node 1 restarts too: it has no memory of node 0's first session.
        sim.restart(1, session: 0xB000_0000_0000_0002, keepLocal: false)
        sim.run(for: .seconds(1))
        #expect(sim.converged(from: 0, to: 1))
        let restarts = sim.nodes[1].core.counters.peerRestarts
        // Every datagram of node 0's first session, replayed to node 1.
        for bytes in recorded { sim.inject(bytes, to: 1) }
        sim.run(for: .milliseconds(20))
        #expect(sim.nodes[1].core.status.peerSession == 0xA000_0000_0000_0002, "the live session was displaced")
        #expect(sim.nodes[1].core.counters.peerRestarts == restarts)
        #expect(sim.nodes[1].core.counters.rejected[.unverifiedSession, default: 0] > 0)
        // Sync carries on: a new flow of node 0 arrives, and nothing is rejected as stale.
        sim.perform(0, .localUpdate(Flows.tcp(100)))
        sim.run(for: .seconds(2))
        #expect(sim.converged(from: 0, to: 1))
        #expect(sim.nodes[1].core.counters.rejected[.staleSession, default: 0] == 0)
        #expect(sim.nodes[1].core.status.peerAlive)
    }

    /// A restarted peer is a newcomer too: adopted once it echoes, which takes one round
    /// trip, and the flows come back in the bulk that follows.
    @Test func genuinelyRestartedPeerIsReadoptedAfterTheEcho() {
        let sim = Self.mirrored()
        let before = sim.nodes[1].core.challenge
        sim.restart(0, session: 0xA000_0000_0000_0007)
        // Node 0 knows no peer: it adopts node 1's session from its first datagram and
        // echoes node 1's challenge from then on.
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[1].core.status.peerSession == 0xA000_0000_0000_0007)
        #expect(sim.nodes[1].core.challenge != before, "the challenge is renewed at every adoption")
        #expect(sim.nodes[1].core.counters.peerRestarts == 1)
        sim.run(for: .seconds(1))
        #expect(sim.converged(from: 0, to: 1))
    }

    /// The other way round: node 1 restarts while node 0 still holds its old session as
    /// alive. Node 1 echoes node 0's challenge (it knows no live peer), so node 0 adopts it
    /// at once instead of waiting for the old session to time out.
    @Test func peerThatStillHoldsTheOldSessionAdoptsTheRestartedNodeAtOnce() {
        let sim = Self.mirrored()
        sim.restart(1, session: 0xB000_0000_0000_0003, keepLocal: false)
        sim.run(for: .milliseconds(50))
        #expect(sim.nodes[0].core.status.peerSession == 0xB000_0000_0000_0003)
        sim.run(for: .seconds(1))
        #expect(sim.converged(from: 0, to: 1))
    }

    /// A flood of replays of an unknown session: each is counted, the live session stays,
    /// and the prompt answers to a would-be newcomer are rate-limited.
    @Test func replayFloodIsCountedAndAnswersAreRateLimited() {
        let sim = Self.mirrored()
        let recorded = sim.wire[0]
        sim.restart(0, session: 0xA000_0000_0000_0004)
        sim.run(for: .seconds(1))
        sim.restart(1, session: 0xB000_0000_0000_0004, keepLocal: false)
        sim.run(for: .seconds(1))
        let sentBefore = sim.nodes[1].core.counters.datagramsSent
        // 2,000 replayed datagrams over 100 ms.
        for i in 0..<2000 {
            sim.inject(recorded[i % recorded.count], to: 1, at: sim.now + .microseconds(Int64(i) * 50))
        }
        sim.run(for: .milliseconds(100))
        let core = sim.nodes[1].core
        #expect(core.status.peerSession == 0xA000_0000_0000_0004)
        #expect(core.counters.rejected[.unverifiedSession, default: 0] + core.counters.rejected[.replayed, default: 0] == 2000)
        #expect(core.counters.datagramsSent - sentBefore < 10, "answered \(core.counters.datagramsSent - sentBefore) times")
    }

    /// A core that knows no peer adopts the first authenticated session (nothing to
    /// displace); once it has one, another needs the echo.
    @Test func onlyAKnownPeerNeedsTheEcho() {
        var core = SyncCore(session: 5)
        _ = core.handle(.received(SyncDatagram(session: 6, peerSession: 0, packet: 1, sent: 1, ack: 0, challenge: 66)),
                        now: .zero)
        #expect(core.status.peerSession == 6)
        _ = core.handle(.received(SyncDatagram(session: 7, peerSession: 5, packet: 1, sent: 1, ack: 0, challenge: 77)),
                        now: .zero)
        #expect(core.status.peerSession == 6)
        #expect(core.counters.rejected[.unverifiedSession] == 1)
        _ = core.handle(.received(SyncDatagram(session: 7, peerSession: 5, packet: 2, sent: 1, ack: 0, challenge: 77,
                                               echo: core.challenge)), now: .zero)
        #expect(core.status.peerSession == 7)
    }
}
