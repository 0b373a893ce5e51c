@testable import TandemStateSync
import TandemTestSupport

/// Two sync cores joined by a simulated link with a fake clock: datagrams go through the real
/// codec, and the link drops, duplicates, delays and reorders them from a seeded generator.
/// No sleeps: time jumps to the next delivery or deadline.
final class SyncSimulation {
    struct Link {
        var loss = 0.0
        var duplicate = 0.0
        /// Probability that a datagram is held back by up to `jitter` (reordering).
        var reorder = 0.0
        var delay: Duration = .milliseconds(1)
        var jitter: Duration = .milliseconds(30)
        /// When false, nothing arrives (a cable pulled).
        var up = true
    }

    final class Node {
        var core: SyncCore
        /// What the mirror would have injected into this node's kernel.
        var applied: [FlowKey: FlowState] = [:]
        /// Every action except sends, in order.
        var notices: [SyncAction] = []
        var running = true

        init(core: SyncCore) { self.core = core }
    }

    struct InFlight {
        var at: SyncTime
        var order: Int
        var to: Int
        var bytes: [UInt8]
    }

    var now = SyncTime(nanoseconds: 1_000_000_000)
    var nodes: [Node]
    var link = Link()
    var rng: SplitMix64
    /// Node i's codec: it signs with the i→j key and checks with the j→i key, as the
    /// daemon's `SyncKeyPair` does (unstretched here, for speed).
    let codecs: [SyncCodec]
    var inFlight: [InFlight] = []
    /// Every datagram put on the wire, per sender, for replay tests.
    var wire: [[[UInt8]]] = [[], []]
    private var order = 0

    init(configuration: SyncConfiguration = SyncConfiguration(), seed: UInt64 = 1, secret: String = "hasync password") {
        rng = SplitMix64(seed: seed)
        let toB = try! SyncKey(secret: Array((secret + " 0>1").utf8))
        let toA = try! SyncKey(secret: Array((secret + " 1>0").utf8))
        codecs = [SyncCodec(keys: SyncKeyPair(sending: toB, receiving: toA), maximumDatagram: configuration.maximumDatagram),
                  SyncCodec(keys: SyncKeyPair(sending: toA, receiving: toB), maximumDatagram: configuration.maximumDatagram)]
        nodes = [Node(core: SyncCore(configuration: configuration, session: 0xA000_0000_0000_0001)),
                 Node(core: SyncCore(configuration: configuration, session: 0xB000_0000_0000_0001))]
    }

    func perform(_ i: Int, _ event: SyncEvent) {
        guard nodes[i].running else { return }
        var adoptKernelTable = false
        for action in nodes[i].core.handle(event, now: now) {
            switch action {
            case .adoptKernelTable:
                adoptKernelTable = true
                nodes[i].notices.append(action)
            case .send(let d): transmit(from: i, codecs[i].encode(d))
            case .apply(let flow):
                nodes[i].applied[flow.key] = flow
                nodes[i].notices.append(action)
            case .remove(let key):
                nodes[i].applied[key] = nil
                nodes[i].notices.append(action)
            default: nodes[i].notices.append(action)
            }
        }
        // What the daemon does: this node's "kernel" (its own flows and the peer's it
        // injected) reported as local changes.
        if adoptKernelTable {
            for flow in nodes[i].applied.values { perform(i, .localUpdate(flow)) }
        }
    }

    func transmit(from i: Int, _ bytes: [UInt8]) {
        wire[i].append(bytes)
        guard link.up else { return }
        if Double.random(in: 0..<1, using: &rng) < link.loss { return }
        let copies = Double.random(in: 0..<1, using: &rng) < link.duplicate ? 2 : 1
        for _ in 0..<copies {
            var at = now + link.delay
            if Double.random(in: 0..<1, using: &rng) < link.reorder {
                at = at + .nanoseconds(Int64.random(in: 0...Int64(link.jitter.syncNanoseconds), using: &rng))
            }
            inject(bytes, to: 1 - i, at: at)
        }
    }

    /// Puts raw bytes on the wire towards node `to` (forged or replayed datagrams).
    func inject(_ bytes: [UInt8], to: Int, at: SyncTime? = nil) {
        order += 1
        inFlight.append(InFlight(at: at ?? now, order: order, to: to, bytes: bytes))
    }

    /// Restarts node `i` with a new session: its tables and streams are gone, its local flows
    /// come back from the kernel dump (`keepLocal`).
    func restart(_ i: Int, session: UInt64, keepLocal: Bool = true) {
        let flows = keepLocal ? Array(nodes[i].core.localFlows.values) : []
        nodes[i] = Node(core: SyncCore(configuration: nodes[i].core.configuration, session: session))
        perform(i, .start)
        for flow in flows { perform(i, .localUpdate(flow)) }
    }

    /// Advances time, delivering datagrams and ticks in order, until `duration` has passed.
    /// Bounded in steps so a livelock fails the test instead of hanging it.
    func run(for duration: Duration, maxSteps: Int = 2_000_000) {
        let end = now + duration
        var steps = 0
        while steps < maxSteps {
            steps += 1
            let nextArrival = inFlight.min { ($0.at, $0.order) < ($1.at, $1.order) }
            let deadlines = nodes.indices.compactMap { i in nodes[i].running ? nodes[i].core.nextDeadline.map { ($0, i) } : nil }
            let nextTick = deadlines.min { $0.0 < $1.0 }
            let candidates = [nextArrival?.at, nextTick?.0].compactMap { $0 }
            guard let next = candidates.min(), next <= end else { break }
            now = max(now, next)
            if let a = nextArrival, a.at == next {
                inFlight.removeAll { $0.order == a.order }
                deliver(a)
            } else if let t = nextTick {
                perform(t.1, .tick)
            }
        }
        precondition(steps < maxSteps, "simulation did not settle in \(maxSteps) steps")
        now = max(now, end)
    }

    private func deliver(_ a: InFlight) {
        switch codecs[a.to].decode(a.bytes) {
        case .success(let d): perform(a.to, .received(d))
        case .failure(let reason): perform(a.to, .rejected(reason))
        }
    }

    /// True when node `to` holds exactly node `from`'s flows, in the core and in the "kernel".
    func converged(from: Int, to: Int) -> Bool {
        nodes[to].core.remoteFlows == nodes[from].core.localFlows.mapValues(TableDigest.hash)
            && nodes[to].applied == nodes[from].core.localFlows
    }
}
