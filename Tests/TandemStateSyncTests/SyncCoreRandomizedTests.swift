import Testing
@testable import TandemStateSync
import TandemTestSupport

/// Random schedules with fixed seeds: flow churn on both nodes, loss, duplication,
/// reordering, link flaps, restarts and stopped nodes, operator resyncs. Whatever happened,
/// once the link heals both replicated tables must equal the other node's flows.
@Suite struct SyncCoreRandomizedTests {
    @Test(arguments: Array(1...12) as [UInt64])
    func randomScheduleConverges(seed: UInt64) {
        var config = SyncConfiguration()
        config.resendQueueLimit = 96  // small, so overflows happen too
        config.bulkChunk = 32
        let sim = SyncCoreTests.started(config, seed: seed)
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9)
        var nextSession: UInt64 = 0xC000_0000_0000_0000 | seed << 16

        func churn(_ node: Int) {
            for _ in 0..<Int.random(in: 1...80, using: &rng) {
                let i = Int.random(in: 0..<600, using: &rng)
                let flow = node == 0 ? Flows.tcp(i, state: UInt8.random(in: 1...7, using: &rng)) : Flows.udp6(i)
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    sim.perform(node, .localDelete(flow.key))
                } else {
                    sim.perform(node, .localUpdate(flow))
                }
            }
        }

        for _ in 0..<80 {
            let node = Int.random(in: 0...1, using: &rng)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<55: churn(node)
            case 55..<65: sim.link.loss = Double.random(in: 0...0.3, using: &rng)
            case 65..<72: sim.link.up.toggle()
            case 72..<78:
                sim.link.duplicate = Double.random(in: 0...0.2, using: &rng)
                sim.link.reorder = Double.random(in: 0...0.5, using: &rng)
            case 78..<84:
                nextSession += 1
                sim.restart(node, session: nextSession, keepLocal: Bool.random(using: &rng))
            case 84..<88:
                sim.nodes[node].running = false
            case 88..<92:
                if !sim.nodes[node].running {
                    nextSession += 1
                    sim.restart(node, session: nextSession)
                }
            default:
                sim.perform(node, .requestBulk)
            }
            sim.run(for: .milliseconds(Int64.random(in: 1...800, using: &rng)))
        }

        sim.link = SyncSimulation.Link()
        for node in 0...1 where !sim.nodes[node].running {
            nextSession += 1
            sim.restart(node, session: nextSession)
        }
        sim.run(for: .seconds(20))
        #expect(sim.converged(from: 0, to: 1), "seed \(seed): node 1 has \(sim.nodes[1].core.remoteFlows.count) of \(sim.nodes[0].core.localFlows.count)")
        #expect(sim.converged(from: 1, to: 0), "seed \(seed): node 0 has \(sim.nodes[0].core.remoteFlows.count) of \(sim.nodes[1].core.localFlows.count)")
        #expect(sim.nodes[0].core.status.resendQueue == 0)
        #expect(sim.nodes[1].core.status.resendQueue == 0)
        // The agreement check never cried wolf, whatever happened, and sees the agreement.
        for (i, node) in sim.nodes.enumerated() {
            #expect(node.core.counters.disagreements == 0, "seed \(seed): node \(i) \(node.core.counters)")
            #expect(node.core.agreement.state == .agree, "seed \(seed): node \(i) \(node.core.agreement)")
        }
    }
}
