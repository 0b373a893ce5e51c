import TandemAddress
import TandemStateSync
@testable import TandemNetlink

/// Measures how fast a conntrack table takes injected entries and gives them back, for the
/// sync benchmarks (state-sync.md §6.1 "bulk resync and commit time"). Not used by the
/// daemon.
enum ConntrackBenchmark {
    struct Report: Sendable, CustomStringConvertible {
        public var operation: String
        public var entries: Int
        public var seconds: Double
        public var failures: Int
        public var entriesPerSecond: Double { seconds > 0 ? Double(entries) / seconds : 0 }

        public var description: String {
            let rate = Int(entriesPerSecond.rounded())
            return "\(operation): \(entries) entries in \(String(format: "%.3f", seconds)) s = \(rate) entries/s"
                + (failures > 0 ? " (\(failures) failed)" : "")
        }
    }

    /// `n` distinct established TCP flows between documentation addresses (192.0.2.0/24
    /// clients, 198.51.100.0/24 servers; distinct up to several million). With `sourceNAT`,
    /// each is translated to 203.0.113.1 and a port unique per server, as an outbound NAT
    /// must (the kernel refuses a binding whose reply tuple another entry already has).
    static func syntheticFlows(_ n: Int, sourceNAT: Bool = false, zone: UInt16 = 0) -> [FlowState] {
        (0..<n).map { i in
            let client = IPAddress.v4(IPv4Address(192, 0, 2, UInt8(1 + i % 250)))
            let server = IPAddress.v4(IPv4Address(198, 51, 100, UInt8(1 + (i / 250) % 250)))
            let sport = UInt16(1024 + i / 62_500)
            let translated = sourceNAT ? IPAddress.v4(IPv4Address(203, 0, 113, 1)) : client
            let translatedPort = sourceNAT ? UInt16(1024 + i % 250 + 250 * (i / 62_500)) : sport
            return FlowState(
                family: .ipv4, l4proto: 6,
                original: FlowTuple(source: client, destination: server, sourcePort: sport, destinationPort: 443),
                reply: FlowTuple(source: server, destination: translated, sourcePort: 443, destinationPort: translatedPort),
                status: ConntrackInjection.Status.seenReply | ConntrackInjection.Status.assured,
                timeout: 3600, zone: zone, tcp: TCPInfo(state: 3))
        }
    }

    /// Applies `flows` (batched on a kernel table) and times it.
    static func inject(_ flows: [FlowState], into table: some ConntrackTable) throws(NetlinkError) -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let results = try table.apply(flows)
        let elapsed = clock.now - start
        let failures = results.reduce(0) { n, r in if case .failure = r { n + 1 } else { n } }
        return Report(operation: "inject", entries: flows.count, seconds: elapsed.seconds, failures: failures)
    }

    /// Dumps the whole table into `FlowState`s and times it.
    static func dump(_ table: some ConntrackTable) throws(NetlinkError) -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let flows = try table.dump(family: nil)
        return Report(operation: "dump", entries: flows.count, seconds: (clock.now - start).seconds, failures: 0)
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
