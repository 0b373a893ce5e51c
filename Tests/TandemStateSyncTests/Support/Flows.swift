import TandemAddress
@testable import TandemStateSync

/// Test flows from the documentation ranges: LAN clients in 192.0.2.0/24 talking to
/// 198.51.100.0/24, source-NATed to 203.0.113.1 (the reference scenario's shape).
enum Flows {
    static func tcp(_ i: Int, state: UInt8 = 3, timeout: UInt32 = 432_000) -> FlowState {
        let client = IPAddress.v4(IPv4Address(192, 0, 2, UInt8(1 + i % 200)))
        let server = IPAddress.v4(IPv4Address(198, 51, 100, UInt8(1 + (i / 200) % 200)))
        let nat = IPAddress.v4(IPv4Address(203, 0, 113, 1))
        let port = UInt16(10_000 + i % 50_000)
        return FlowState(family: .ipv4, l4proto: 6,
                         original: FlowTuple(source: client, destination: server, sourcePort: port, destinationPort: 443),
                         reply: FlowTuple(source: server, destination: nat, sourcePort: 443, destinationPort: port &+ 1),
                         status: 0x18e, timeout: timeout, mark: UInt32(i), zone: 0,
                         tcp: TCPInfo(state: state, originalWindowScale: 7, replyWindowScale: 7, originalFlags: 0x08, replyFlags: 0x08))
    }

    static func udp6(_ i: Int) -> FlowState {
        let client = IPAddress.v6(IPv6Address(high: 0x2001_0db8_0000_0001, low: UInt64(i)))
        let server = IPAddress.v6(IPv6Address(high: 0x2001_0db8_0000_0002, low: 53))
        return FlowState(family: .ipv6, l4proto: 17,
                         original: FlowTuple(source: client, destination: server, sourcePort: UInt16(20_000 + i % 40_000), destinationPort: 53),
                         reply: FlowTuple(source: server, destination: client, sourcePort: 53, destinationPort: UInt16(20_000 + i % 40_000)),
                         status: 0x8, timeout: 30, zone: 7)
    }
}
