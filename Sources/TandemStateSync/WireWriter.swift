import TandemAddress

/// Appends big-endian (network order) fields to a byte buffer.
struct WireWriter {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xff)) }
    mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((v >> UInt32(s)) & 0xff)) } }
    mutating func u64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((v >> UInt64(s)) & 0xff)) } }

    mutating func address(_ a: IPAddress) {
        switch a {
        case .v4(let v4): u32(v4.value)
        case .v6(let v6): u64(v6.high); u64(v6.low)
        }
    }

    mutating func tuple(_ t: FlowTuple) {
        address(t.source)
        address(t.destination)
        u16(t.sourcePort)
        u16(t.destinationPort)
    }
}
