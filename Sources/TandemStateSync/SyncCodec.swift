/// Encodes and decodes authenticated sync datagrams.
///
///     offset  size  field
///          0     1  version (3; 2 had no challenge and echo, 1 no digest record)
///          1     1  flags (0; reserved)
///          2     2  record count
///          4     8  session id of the sender
///         12     8  session id of the receiver as the sender knows it (0 = unknown)
///         20     8  datagram number (replay protection)
///         28     4  sender's next stream sequence number
///         32     4  cumulative ack of the receiver's stream
///         36     4  bulk request id (0 = none)
///         40     8  the sender's current challenge (SyncCore+Session.swift)
///         48     8  the challenge the sender echoes back (0 = none)
///         56     …  records (SyncRecord+Wire.swift)
///        end    16  HMAC-SHA256 over everything before it, truncated (RFC 2104 §5: ≥ half
///                   the output and ≥ 80 bits; 16 bytes = 128 bits), under the sender's
///                   direction key (SyncKeyPair)
///
/// Size comes first: a datagram over `maximumDatagram` is refused before its tag is
/// computed. The tag is checked before any record is parsed, so forged or random input never
/// reaches the record decoder, and a datagram is accepted only whole: one bad record rejects it.
public struct SyncCodec: Sendable {
    public static let version: UInt8 = 3
    public static let headerSize = 56
    public static let minimumTagLength = 16

    public let keys: SyncKeyPair
    public let tagLength: Int
    /// Larger datagrams are rejected unread (`oversized`).
    public let maximumDatagram: Int

    public init(keys: SyncKeyPair, tagLength: Int = 16, maximumDatagram: Int = 65_507) {
        precondition(tagLength >= Self.minimumTagLength && tagLength <= 32, "tag length \(tagLength) not in 16...32")
        self.keys = keys
        self.tagLength = tagLength
        self.maximumDatagram = maximumDatagram
    }

    /// One key for both directions: for tests and tools that play both ends.
    public init(key: SyncKey, tagLength: Int = 16, maximumDatagram: Int = 65_507) {
        self.init(keys: SyncKeyPair(symmetric: key), tagLength: tagLength, maximumDatagram: maximumDatagram)
    }

    /// Bytes a datagram costs besides its records.
    public var overhead: Int { Self.headerSize + tagLength }

    public func encode(_ d: SyncDatagram) -> [UInt8] {
        precondition(d.records.count <= Int(UInt16.max), "too many records for one datagram")
        var w = WireWriter(capacity: overhead + d.records.reduce(0) { $0 + $1.encodedSize })
        w.u8(Self.version)
        w.u8(0)
        w.u16(UInt16(d.records.count))
        w.u64(d.session)
        w.u64(d.peerSession)
        w.u64(d.packet)
        w.u32(d.sent)
        w.u32(d.ack)
        w.u32(d.bulkRequest)
        w.u64(d.challenge)
        w.u64(d.echo)
        for record in d.records { record.encode(into: &w) }
        let tag = keys.sending.tag(w.bytes, 0..<w.bytes.count, length: tagLength)
        w.bytes.append(contentsOf: tag)
        return w.bytes
    }

    /// Checks and parses one datagram. Stateless: replay and session checks are the core's.
    public func decode(_ bytes: [UInt8]) -> Result<SyncDatagram, SyncRejection> {
        guard bytes.count >= overhead else { return .failure(.truncated) }
        guard bytes.count <= maximumDatagram else { return .failure(.oversized) }
        guard bytes[0] == Self.version else { return .failure(.badVersion) }
        let body = bytes.count - tagLength
        let expected = keys.receiving.tag(bytes, 0..<body, length: tagLength)
        guard constantTimeEqual(expected, bytes[body...]) else { return .failure(.badAuthentication) }
        guard bytes[1] == 0 else { return .failure(.malformed) }
        do {
            var r = WireReader(bytes, from: 2, to: body)
            let count = Int(try r.u16("record count"))
            var d = SyncDatagram(session: try r.u64("session"), peerSession: try r.u64("peer session"),
                                 packet: try r.u64("packet"), sent: try r.u32("sent"), ack: try r.u32("ack"),
                                 bulkRequest: try r.u32("bulk request"))
            d.challenge = try r.u64("challenge")
            d.echo = try r.u64("echo")
            d.records.reserveCapacity(count)
            for _ in 0..<count { d.records.append(try SyncRecord.decode(from: &r)) }
            guard r.remaining == 0 else { return .failure(.malformed) }
            return .success(d)
        } catch {
            return .failure(.malformed)
        }
    }
}
