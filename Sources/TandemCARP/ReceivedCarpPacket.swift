import TandemAddress

/// A protocol-112 packet as the packet I/O hands it to the receive ladder: the CARP bytes
/// after the IP header, plus what the IP layer said about them.
public struct ReceivedCarpPacket: Sendable, Hashable {
    /// The interface it arrived on (the socket is bound to it).
    public var interface: String
    public var source: IPAddress
    /// IPv4 TTL or IPv6 hop limit; CARP requires 255 (`CARP_DFLTTL`).
    public var hopLimit: Int
    /// Everything after the IP header.
    public var payload: [UInt8]

    public init(interface: String, source: IPAddress, hopLimit: Int, payload: [UInt8]) {
        self.interface = interface
        self.source = source
        self.hopLimit = hopLimit
        self.payload = payload
    }
}

/// The IPv4 header fields the receive path needs. A raw IPv4 socket delivers the header
/// with the data (raw(7)); IPv6 raw sockets do not, so hop limit and source come from
/// ancillary data there instead.
public struct IPv4HeaderView: Sendable, Hashable {
    public var ttl: UInt8
    public var proto: UInt8
    public var source: IPv4Address
    public var destination: IPv4Address
    /// Bytes of the header, options included (IHL × 4).
    public var headerLength: Int
    /// The total length field.
    public var totalLength: Int

    public init(parsing bytes: [UInt8]) throws(IPv4HeaderError) {
        guard bytes.count >= 20 else { throw .truncated(bytes.count) }
        guard bytes[0] >> 4 == 4 else { throw .notIPv4(version: bytes[0] >> 4) }
        headerLength = Int(bytes[0] & 0x0f) * 4
        guard headerLength >= 20, bytes.count >= headerLength else { throw .badHeaderLength(headerLength) }
        totalLength = Int(bytes[2]) << 8 | Int(bytes[3])
        ttl = bytes[8]
        proto = bytes[9]
        source = IPv4Address(bytes: bytes[12..<16])!
        destination = IPv4Address(bytes: bytes[16..<20])!
    }
}

public enum IPv4HeaderError: Error, Equatable, CustomStringConvertible {
    case truncated(Int)
    case notIPv4(version: UInt8)
    case badHeaderLength(Int)

    public var description: String {
        switch self {
        case .truncated(let n): "IPv4 header: expected at least 20 bytes, got \(n)"
        case .notIPv4(let v): "IPv4 header: expected version 4, got \(v)"
        case .badHeaderLength(let n): "IPv4 header: header length \(n) is below 20 or beyond the packet"
        }
    }
}

extension ReceivedCarpPacket {
    /// Splits a datagram read from a raw IPv4 socket into header facts and CARP bytes.
    /// The payload ends where the IP total length says, so link-layer padding never reaches
    /// the CARP length check.
    public init(ipv4Datagram bytes: [UInt8], interface: String) throws(IPv4HeaderError) {
        let header = try IPv4HeaderView(parsing: bytes)
        let end = min(bytes.count, max(header.totalLength, header.headerLength))
        self.init(interface: interface, source: .v4(header.source), hopLimit: Int(header.ttl),
                  payload: Array(bytes[header.headerLength..<end]))
    }
}
