import TandemAddress
@testable import TandemCARP

/// Two CARP nodes on shared segments, driven by a fake clock: wake-ups fire in time order,
/// advertisements are encoded, carried to the other node (if the wire is up) and decoded
/// through the receive ladder. Deterministic and bounded: `run(until:)` stops at the
/// deadline or after `maxSteps` events.
struct CarpPairSimulation {
    var nodes: [CarpNode<FakeInstant>]
    /// Each node's interface address, the source of its advertisements.
    let sources: [IPAddress]
    var now = FakeInstant.zero
    var timers: [Int: [CarpGroupID: FakeInstant]] = [0: [:], 1: [:]]
    /// VIPs currently configured on each node.
    var vips: [Set<IPNetwork>] = [[], []]
    var transitions: [(node: Int, transition: CarpTransition<FakeInstant>)] = []
    var sent: [[CarpAdvertisement]] = [[], []]
    var announcements: [[(FakeInstant, [IPAddress])]] = [[], []]
    /// Wire up per interface; a cut wire drops advertisements both ways.
    var wireUp: [String: Bool] = [:]
    /// Packets the wire carries, for tampering tests.
    var tamper: ((inout ReceivedCarpPacket) -> Void)?

    init(_ a: [CarpGroupConfig], _ b: [CarpGroupConfig], maintenance: [Bool] = [false, false]) {
        nodes = [
            CarpNode(groups: a, maintenance: maintenance[0]) { UInt64($0.vhid) << 32 },
            CarpNode(groups: b, maintenance: maintenance[1]) { UInt64($0.vhid) << 32 | 0x8000_0000 },
        ]
        sources = [IPAddress("198.51.100.2")!, IPAddress("198.51.100.3")!]
        for i in 0..<2 { _ = nodes[i].handle(.setOwnAddresses([sources[i]]), at: now) }
    }

    func state(_ node: Int, _ interface: String = "lan0", vhid: UInt8 = 1) -> CarpState? {
        nodes[node].machines[CarpGroupID(interface: interface, vhid: vhid)]?.state
    }

    mutating func send(_ node: Int, _ event: CarpNodeEvent) {
        apply(node, nodes[node].handle(event, at: now))
    }

    mutating func bringUp(_ node: Int, interfaces: [String] = ["lan0"]) {
        for interface in interfaces { send(node, .link(interface: interface, up: true)) }
    }

    /// Processes wake-ups in time order up to and including `end`.
    mutating func run(until end: FakeInstant, maxSteps: Int = 100_000) {
        for _ in 0..<maxSteps {
            let due = (0..<2).flatMap { n in timers[n]!.map { (n, $0.key, $0.value) } }
                .filter { $0.2 <= end }
                .min { ($0.2, $0.0, $0.1) < ($1.2, $1.0, $1.1) }
            guard let (node, id, at) = due else { break }
            now = at
            timers[node]![id] = nil
            send(node, .wakeUp(id))
        }
        now = max(now, end)
    }

    mutating func run(for seconds: Double) {
        run(until: now.advanced(by: .milliseconds(Int64(seconds * 1000))))
    }

    private mutating func apply(_ node: Int, _ actions: [(CarpGroupID, CarpAction<FakeInstant>)]) {
        var deliveries: [ReceivedCarpPacket] = []
        for (id, action) in actions {
            switch action {
            case .send(let ad, _):
                sent[node].append(ad)
                if wireUp[id.interface, default: true] {
                    var packet = ReceivedCarpPacket(interface: id.interface, source: sources[node],
                                                    hopLimit: 255, payload: ad.encoded())
                    tamper?(&packet)
                    deliveries.append(packet)
                }
            case .addAddresses(let a): vips[node].formUnion(a)
            case .removeAddresses(let a): vips[node].subtract(a)
            case .announce(let a): announcements[node].append((now, a))
            case .wakeUp(let at): timers[node]![id] = at
            case .transition(let t): transitions.append((node, t))
            }
        }
        // Zero-latency wire: the peer handles the packet at the same instant, after the
        // sender has finished its own actions.
        for packet in deliveries { send(1 - node, .packet(packet)) }
    }
}

enum Fixture {
    static let key = CarpKey(password: "opnsense")
    static let lanVIP = IPNetwork("192.0.2.1/24")!
    static let wanVIP = IPNetwork("198.51.100.1/24")!

    static func group(vhid: UInt8 = 1, interface: String = "lan0", advbase: UInt8 = 1, advskew: UInt8 = 0,
                      vip: IPNetwork = lanVIP, preempt: Bool = true, subsecond: Bool = false) -> CarpGroupConfig {
        try! CarpGroupConfig(vhid: vhid, interface: interface, advbase: advbase, advskew: advskew, key: key,
                             addresses: [vip], preempt: preempt, allowsSubsecond: subsecond)
    }
}
