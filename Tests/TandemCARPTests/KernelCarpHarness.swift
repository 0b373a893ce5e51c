import TandemAddress
@testable import TandemCARP

/// A minimal single-threaded driver for kernel tests: a `CarpNode` on the monotonic clock,
/// real sockets, wake-ups served by the poll timeout. VIP changes are recorded, not
/// applied (the rtnetlink side is the link adapter's job). Every run is bounded in time.
struct KernelCarpHarness {
    typealias Instant = ContinuousClock.Instant
    let clock = ContinuousClock()
    var node: CarpNode<Instant>
    let io: LinuxCarpSocketSet
    var timers: [CarpGroupID: Instant] = [:]
    var transitions: [CarpTransition<Instant>] = []
    var received: [(Instant, ReceivedCarpPacket)] = []
    var sent: [(Instant, CarpAdvertisement)] = []
    var holdsVIPs = false

    init(node: CarpNode<Instant>, io: LinuxCarpSocketSet) {
        self.node = node
        self.io = io
    }

    mutating func handle(_ event: CarpNodeEvent) throws {
        let now = clock.now
        for (id, action) in node.handle(event, at: now) {
            switch action {
            case .send(let ad, let families):
                for family in families { try io.send(ad, interface: id.interface, family: family, source: nil) }
                sent.append((now, ad))
            case .announce(let addresses): try io.announce(addresses, interface: id.interface)
            case .addAddresses: holdsVIPs = true
            case .removeAddresses: holdsVIPs = false
            case .wakeUp(let at): timers[id] = at
            case .transition(let t): transitions.append(t)
            }
        }
    }

    /// Runs until `duration` has passed or `stop` is true after an event.
    mutating func run(for duration: Duration, stop: (KernelCarpHarness) -> Bool = { _ in false }) throws {
        let end = clock.now.advanced(by: duration)
        while clock.now < end, !stop(self) {
            let next = timers.values.min().map { min($0, end) } ?? end
            let wait = max(clock.now.duration(to: next), .zero)
            let milliseconds = Int32(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
            for packet in try io.receive(timeoutMilliseconds: milliseconds) {
                received.append((clock.now, packet))
                try handle(.packet(packet))
            }
            for (id, at) in timers where at <= clock.now {
                timers[id] = nil
                try handle(.wakeUp(id))
            }
        }
    }
}
