import TandemAddress

/// Why a field could not be read; the codec maps it to a `SyncRejection`.
struct WireReadError: Error, CustomStringConvertible {
    var offset: Int
    var expected: String
    var description: String { "at byte \(offset): expected \(expected)" }
}

/// Reads big-endian fields from a byte buffer, never past its end.
struct WireReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from offset: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    private mutating func take(_ n: Int, _ what: StaticString) throws(WireReadError) -> Int {
        guard n <= remaining else { throw WireReadError(offset: offset, expected: "\(n) bytes of \(what)") }
        defer { offset += n }
        return offset
    }

    mutating func u8(_ what: StaticString) throws(WireReadError) -> UInt8 {
        bytes[try take(1, what)]
    }

    mutating func u16(_ what: StaticString) throws(WireReadError) -> UInt16 {
        let i = try take(2, what)
        return UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
    }

    mutating func u32(_ what: StaticString) throws(WireReadError) -> UInt32 {
        let i = try take(4, what)
        return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[i + $1]) }
    }

    mutating func u64(_ what: StaticString) throws(WireReadError) -> UInt64 {
        let i = try take(8, what)
        return (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[i + $1]) }
    }

    mutating func address(_ family: IPFamily, _ what: StaticString) throws(WireReadError) -> IPAddress {
        switch family {
        case .ipv4: return .v4(IPv4Address(try u32(what)))
        case .ipv6:
            let high = try u64(what)
            return .v6(IPv6Address(high: high, low: try u64(what)))
        }
    }

    mutating func tuple(_ family: IPFamily) throws(WireReadError) -> FlowTuple {
        let source = try address(family, "tuple source")
        let destination = try address(family, "tuple destination")
        let sourcePort = try u16("tuple source port")
        let destinationPort = try u16("tuple destination port")
        return FlowTuple(source: source, destination: destination, sourcePort: sourcePort, destinationPort: destinationPort)
    }
}

extension WireReader {
    /// Moves past `n` bytes (a record body already decoded from a sub-reader).
    mutating func skip(_ n: Int) throws(WireReadError) -> Int {
        guard n <= remaining else { throw WireReadError(offset: offset, expected: "\(n) more bytes") }
        offset += n
        return offset
    }
}
