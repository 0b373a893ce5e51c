import FuzzInput
import TandemAddress
import TandemStateSync

/// State-sync values chosen by the fuzzer: flows from a small address pool (so updates and
/// deletes meet the same flows) and records of every kind.
extension FuzzInput {
    public mutating func flowKey() -> FlowKey {
        let v4 = bool()
        let proto: UInt8 = [6, 17, 1, 58, 132, u8()][below(6)]
        let tuple = FlowTuple(source: address(v4), destination: address(v4), sourcePort: u16() % 8, destinationPort: u16())
        return FlowKey(family: v4 ? .ipv4 : .ipv6, l4proto: proto, original: tuple, zone: bool() ? 0 : u16())
    }

    public mutating func flow() -> FlowState {
        let key = flowKey()
        let reply = FlowTuple(source: key.original.destination, destination: key.original.source,
                              sourcePort: key.original.destinationPort, destinationPort: key.original.sourcePort)
        let tcp: TCPInfo? = bool() ? TCPInfo(state: u8(), originalWindowScale: u8(), replyWindowScale: u8(),
                                              originalFlags: u8(), replyFlags: u8()) : nil
        return FlowState(family: key.family, l4proto: key.l4proto, original: key.original, reply: reply,
                         status: u32(), timeout: u32(), mark: u32(), zone: key.zone, tcp: tcp)
    }

    public mutating func record() -> SyncRecord {
        switch below(8) {
        case 0, 1: return .update(seq: u32(), flow())
        case 2: return .delete(seq: u32(), flowKey())
        case 3: return .bulkStart(seq: u32(), id: u32())
        case 4: return .bulkEnd(seq: u32(), id: u32())
        case 5: return .nack(range())
        case 6: return .void(range())
        default: return .digest(TableSummary(position: u32(), digest: TableDigest(count: u32(), sum: u64())))
        }
    }

    public mutating func range() -> SequenceRange {
        let a = u32(), b = u32()
        return SequenceRange(min(a, b), max(a, b))
    }

    public mutating func datagram() -> SyncDatagram {
        var d = SyncDatagram(session: u64(), peerSession: u64(), packet: u64(), sent: u32(), ack: u32(), bulkRequest: u32(),
                             challenge: u64(), echo: u64())
        for _ in 0..<below(6) { d.records.append(record()) }
        return d
    }

    private mutating func address(_ v4: Bool) -> IPAddress {
        let host = u8() % 4
        return v4 ? .v4(IPv4Address(198, 51, 100, host)) : .v6(IPv6Address("2001:db8::\(host)")!)
    }
}
