import TandemAddress

/// Record layouts on the wire (all fields big-endian). Every record is a TLV: type (u8),
/// body length (u16), body. Bodies have fixed layouts per type and address family, and the
/// decoder checks the length against the layout exactly (conntrackd's `msg2ct` checks
/// attribute lengths the same way, state-sync.md §2.3).
///
///     update     seq u32, flow (below)
///     delete     seq u32, family u8, l4proto u8, zone u16, original tuple
///     bulkStart  seq u32, bulk id u32
///     bulkEnd    seq u32, bulk id u32
///     nack       first u32, last u32
///     void       first u32, last u32
///     digest     position u32, flow count u32, hash sum u64 (protocol version 2)
///
///     flow       family u8 (4 | 6), l4proto u8, zone u16, status u32, timeout u32, mark u32,
///                tcp present u8 (0 | 1), tcp state u8, original wscale u8, reply wscale u8,
///                original flags u8, reply flags u8 (all zero when absent),
///                original tuple, reply tuple
///     tuple      source address, destination address (4 or 16 bytes each),
///                source port u16, destination port u16
enum RecordType: UInt8 {
    case update = 1
    case delete = 2
    case bulkStart = 3
    case bulkEnd = 4
    case nack = 5
    case void = 6
    case digest = 7
}

extension SyncRecord {
    static let tlvHeaderSize = 3

    /// Encoded size including the TLV header; the core batches records up to the MTU with it.
    var encodedSize: Int {
        Self.tlvHeaderSize + bodySize
    }

    private var bodySize: Int {
        switch self {
        case .update(_, let flow): 4 + 4 + 12 + 6 + 2 * Self.tupleSize(flow.family)
        case .delete(_, let key): 4 + 4 + Self.tupleSize(key.family)
        case .bulkStart, .bulkEnd, .nack, .void: 8
        case .digest: 16
        }
    }

    private static func tupleSize(_ family: IPFamily) -> Int {
        family == .ipv4 ? 12 : 36
    }

    func encode(into w: inout WireWriter) {
        let start = w.bytes.count
        switch self {
        case .update(let seq, let flow):
            header(.update, &w)
            w.u32(seq)
            Self.keyPrefix(family: flow.family, l4proto: flow.l4proto, zone: flow.zone, &w)
            w.u32(flow.status)
            w.u32(flow.timeout)
            w.u32(flow.mark)
            if let tcp = flow.tcp {
                w.u8(1)
                for b in [tcp.state, tcp.originalWindowScale, tcp.replyWindowScale, tcp.originalFlags, tcp.replyFlags] { w.u8(b) }
            } else {
                for _ in 0..<6 { w.u8(0) }
            }
            w.tuple(flow.original)
            w.tuple(flow.reply)
        case .delete(let seq, let key):
            header(.delete, &w)
            w.u32(seq)
            Self.keyPrefix(family: key.family, l4proto: key.l4proto, zone: key.zone, &w)
            w.tuple(key.original)
        case .bulkStart(let seq, let id):
            header(.bulkStart, &w); w.u32(seq); w.u32(id)
        case .bulkEnd(let seq, let id):
            header(.bulkEnd, &w); w.u32(seq); w.u32(id)
        case .nack(let range):
            header(.nack, &w); w.u32(range.first); w.u32(range.last)
        case .void(let range):
            header(.void, &w); w.u32(range.first); w.u32(range.last)
        case .digest(let summary):
            header(.digest, &w); w.u32(summary.position); w.u32(summary.digest.count); w.u64(summary.digest.sum)
        }
        assert(w.bytes.count - start == encodedSize, "record size table out of date for \(self)")
    }

    private func header(_ type: RecordType, _ w: inout WireWriter) {
        w.u8(type.rawValue)
        w.u16(UInt16(bodySize))
    }

    private static func keyPrefix(family: IPFamily, l4proto: UInt8, zone: UInt16, _ w: inout WireWriter) {
        w.u8(family == .ipv4 ? 4 : 6)
        w.u8(l4proto)
        w.u16(zone)
    }

    /// Reads one record; the reader must be positioned at its type byte.
    static func decode(from r: inout WireReader) throws(WireReadError) -> SyncRecord {
        let typeOffset = r.offset
        let rawType = try r.u8("record type")
        guard let type = RecordType(rawValue: rawType) else {
            throw WireReadError(offset: typeOffset, expected: "a record type 1...7, got \(rawType)")
        }
        let length = Int(try r.u16("record length"))
        guard length <= r.remaining else {
            throw WireReadError(offset: typeOffset, expected: "\(length) body bytes, \(r.remaining) left")
        }
        var body = WireReader(r.bytes, from: r.offset, to: r.offset + length)
        let record = try decodeBody(type, &body)
        guard body.remaining == 0 else {
            throw WireReadError(offset: typeOffset, expected: "a \(type) body of \(length - body.remaining) bytes, length says \(length)")
        }
        _ = try r.skip(length)
        return record
    }

    private static func decodeBody(_ type: RecordType, _ r: inout WireReader) throws(WireReadError) -> SyncRecord {
        switch type {
        case .update:
            let seq = try r.u32("sequence")
            let (family, l4proto, zone) = try keyPrefix(&r)
            let status = try r.u32("status")
            let timeout = try r.u32("timeout")
            let mark = try r.u32("mark")
            let flagOffset = r.offset
            let hasTCP = try r.u8("tcp present")
            let b = [try r.u8("tcp state"), try r.u8("wscale"), try r.u8("wscale"), try r.u8("tcp flags"), try r.u8("tcp flags")]
            let tcp: TCPInfo?
            switch hasTCP {
            case 0:
                guard b.allSatisfy({ $0 == 0 }) else { throw WireReadError(offset: flagOffset, expected: "zero tcp fields when absent") }
                tcp = nil
            case 1:
                tcp = TCPInfo(state: b[0], originalWindowScale: b[1], replyWindowScale: b[2], originalFlags: b[3], replyFlags: b[4])
            default:
                throw WireReadError(offset: flagOffset, expected: "tcp present 0 or 1, got \(hasTCP)")
            }
            let original = try r.tuple(family)
            let reply = try r.tuple(family)
            return .update(seq: seq, FlowState(family: family, l4proto: l4proto, original: original, reply: reply,
                                               status: status, timeout: timeout, mark: mark, zone: zone, tcp: tcp))
        case .delete:
            let seq = try r.u32("sequence")
            let (family, l4proto, zone) = try keyPrefix(&r)
            return .delete(seq: seq, FlowKey(family: family, l4proto: l4proto, original: try r.tuple(family), zone: zone))
        case .bulkStart:
            let seq = try r.u32("sequence")
            return .bulkStart(seq: seq, id: try r.u32("bulk id"))
        case .bulkEnd:
            let seq = try r.u32("sequence")
            return .bulkEnd(seq: seq, id: try r.u32("bulk id"))
        case .nack:
            return .nack(try range(&r))
        case .void:
            return .void(try range(&r))
        case .digest:
            let position = try r.u32("digest position")
            let count = try r.u32("digest count")
            return .digest(TableSummary(position: position, digest: TableDigest(count: count, sum: try r.u64("digest sum"))))
        }
    }

    private static func keyPrefix(_ r: inout WireReader) throws(WireReadError) -> (IPFamily, UInt8, UInt16) {
        let offset = r.offset
        let family: IPFamily
        switch try r.u8("family") {
        case 4: family = .ipv4
        case 6: family = .ipv6
        case let other: throw WireReadError(offset: offset, expected: "family 4 or 6, got \(other)")
        }
        let l4proto = try r.u8("l4proto")
        return (family, l4proto, try r.u16("zone"))
    }

    private static func range(_ r: inout WireReader) throws(WireReadError) -> SequenceRange {
        let offset = r.offset
        let first = try r.u32("range first")
        let last = try r.u32("range last")
        guard first <= last else { throw WireReadError(offset: offset, expected: "range first \(first) <= last \(last)") }
        return SequenceRange(first, last)
    }
}
