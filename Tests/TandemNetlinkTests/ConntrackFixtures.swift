import TandemAddress
import TandemStateSync
import TandemNetlink

/// Flows used by the conntrack tests (documentation addresses only).
enum ConntrackFixtures {
    static func v4(_ s: String) -> IPAddress { IPAddress(s)! }

    /// The task's reference entry: 192.0.2.100:40000 → 198.51.100.254:80, source-NATed to
    /// 198.51.100.1 (port kept), established and assured.
    static func snatTCP(sourcePort: UInt16 = 40000, natPort: UInt16? = nil) -> FlowState {
        FlowState(
            family: .ipv4, l4proto: 6,
            original: FlowTuple(source: v4("192.0.2.100"), destination: v4("198.51.100.254"),
                                sourcePort: sourcePort, destinationPort: 80),
            reply: FlowTuple(source: v4("198.51.100.254"), destination: v4("198.51.100.1"),
                             sourcePort: 80, destinationPort: natPort ?? sourcePort),
            status: ConntrackInjection.Status.seenReply | ConntrackInjection.Status.assured,
            timeout: 3600, mark: 0x2a,
            tcp: TCPInfo(state: 3, originalWindowScale: 7, replyWindowScale: 7,
                         originalFlags: ConntrackInjection.TCPFlag.windowScale | ConntrackInjection.TCPFlag.sackPermitted,
                         replyFlags: ConntrackInjection.TCPFlag.windowScale | ConntrackInjection.TCPFlag.sackPermitted))
    }

    static func udp(sourcePort: UInt16 = 5353) -> FlowState {
        FlowState(
            family: .ipv4, l4proto: 17,
            original: FlowTuple(source: v4("192.0.2.100"), destination: v4("203.0.113.53"),
                                sourcePort: sourcePort, destinationPort: 53),
            reply: FlowTuple(source: v4("203.0.113.53"), destination: v4("192.0.2.100"),
                             sourcePort: 53, destinationPort: sourcePort),
            status: ConntrackInjection.Status.seenReply, timeout: 120)
    }

    /// Echo request id 0x1234 (type 8 code 0), reply type 0.
    static func icmp() -> FlowState {
        FlowState(
            family: .ipv4, l4proto: 1,
            original: FlowTuple(source: v4("192.0.2.100"), destination: v4("203.0.113.7"),
                                sourcePort: 0x1234, destinationPort: 8 << 8),
            reply: FlowTuple(source: v4("203.0.113.7"), destination: v4("192.0.2.100"),
                             sourcePort: 0x1234, destinationPort: 0),
            status: ConntrackInjection.Status.seenReply, timeout: 30)
    }

    /// TCP over IPv6 (2001:db8::/32), no NAT.
    static func tcp6() -> FlowState {
        FlowState(
            family: .ipv6, l4proto: 6,
            original: FlowTuple(source: IPAddress("2001:db8:1::100")!, destination: IPAddress("2001:db8:2::254")!,
                                sourcePort: 41000, destinationPort: 443),
            reply: FlowTuple(source: IPAddress("2001:db8:2::254")!, destination: IPAddress("2001:db8:1::100")!,
                             sourcePort: 443, destinationPort: 41000),
            status: ConntrackInjection.Status.seenReply | ConntrackInjection.Status.assured,
            timeout: 600, tcp: TCPInfo(state: 3))
    }

    /// ICMPv6 echo request (128) → reply (129).
    static func icmp6() -> FlowState {
        FlowState(
            family: .ipv6, l4proto: 58,
            original: FlowTuple(source: IPAddress("2001:db8:1::100")!, destination: IPAddress("2001:db8:2::7")!,
                                sourcePort: 77, destinationPort: 128 << 8),
            reply: FlowTuple(source: IPAddress("2001:db8:2::7")!, destination: IPAddress("2001:db8:1::100")!,
                             sourcePort: 77, destinationPort: 129 << 8),
            status: 0, timeout: 30)
    }

    /// `n` distinct established TCP flows (for bulk tests), 192.0.2.0/24 → 198.51.100.0/24.
    static func bulk(_ n: Int) -> [FlowState] {
        (0..<n).map { i in
            let client = IPAddress.v4(IPv4Address(192, 0, 2, UInt8(1 + i % 250)))
            let server = IPAddress.v4(IPv4Address(198, 51, 100, UInt8(1 + (i / 250) % 250)))
            let sport = UInt16(10000 + i / 62500 * 0 + i % 50000)
            return FlowState(
                family: .ipv4, l4proto: 6,
                original: FlowTuple(source: client, destination: server, sourcePort: sport, destinationPort: 443),
                reply: FlowTuple(source: server, destination: client, sourcePort: 443, destinationPort: sport),
                status: ConntrackInjection.Status.seenReply | ConntrackInjection.Status.assured,
                timeout: 600, tcp: TCPInfo(state: 3))
        }
    }

    /// Port forward: 203.0.113.9:50000 → 198.51.100.1:443, forwarded to 192.0.2.10:8443.
    static func dnatTCP() -> FlowState {
        FlowState(
            family: .ipv4, l4proto: 6,
            original: FlowTuple(source: v4("203.0.113.9"), destination: v4("198.51.100.1"),
                                sourcePort: 50000, destinationPort: 443),
            reply: FlowTuple(source: v4("192.0.2.10"), destination: v4("203.0.113.9"),
                             sourcePort: 8443, destinationPort: 50000),
            status: ConntrackInjection.Status.seenReply | ConntrackInjection.Status.assured,
            timeout: 600, tcp: TCPInfo(state: 3))
    }

    /// Both at once (reflection): 192.0.2.20 → 198.51.100.1:443 forwarded to 192.0.2.10:8443
    /// and source-NATed to 192.0.2.1:61000.
    static func doubleNATTCP() -> FlowState {
        FlowState(
            family: .ipv4, l4proto: 6,
            original: FlowTuple(source: v4("192.0.2.20"), destination: v4("198.51.100.1"),
                                sourcePort: 45000, destinationPort: 443),
            reply: FlowTuple(source: v4("192.0.2.10"), destination: v4("192.0.2.1"),
                             sourcePort: 8443, destinationPort: 61000),
            status: ConntrackInjection.Status.seenReply | ConntrackInjection.Status.assured,
            timeout: 600, tcp: TCPInfo(state: 3))
    }

    /// IPv6 source NAT (NPT-like masquerade) of a UDP flow.
    static func snatUDP6() -> FlowState {
        FlowState(
            family: .ipv6, l4proto: 17,
            original: FlowTuple(source: IPAddress("2001:db8:1::100")!, destination: IPAddress("2001:db8:2::53")!,
                                sourcePort: 5000, destinationPort: 53),
            reply: FlowTuple(source: IPAddress("2001:db8:2::53")!, destination: IPAddress("2001:db8:ffff::1")!,
                             sourcePort: 53, destinationPort: 62000),
            status: ConntrackInjection.Status.seenReply, timeout: 60)
    }

    /// An echo request source-NATed to 198.51.100.1 with its id remapped 0x1234 → 0x4321
    /// (what the kernel does when another client already uses the id towards that server).
    static func icmpWithIDNAT() -> FlowState {
        var f = icmp()
        f.reply.destination = v4("198.51.100.1")
        f.reply.sourcePort = 0x4321
        return f
    }
}
