#if canImport(Glibc)
import Glibc
#endif
import CMnl
import CNetfilterConntrack

/// ctnetlink message framing: nlmsghdr + nfgenmsg + attributes (state-sync.md §4.2). The
/// attributes come from libnetfilter_conntrack (`nfct_nlmsg_build`); the header is written
/// here so libmnl owns the socket.
enum ConntrackMessage {
    /// NFNL_SUBSYS_CTNETLINK.
    static let subsystem: UInt16 = 1
    /// IPCTNL_MSG_CT_*.
    enum Kind: UInt16 {
        case new = 0
        case get = 1
        case delete = 2
    }

    static let request = UInt16(NLM_F_REQUEST)
    static let ack = UInt16(NLM_F_ACK)
    static let create = UInt16(NLM_F_CREATE)
    static let exclusive = UInt16(NLM_F_EXCL)
    static let dump = UInt16(NLM_F_DUMP)

    /// Room one conntrack message may need: tuples, NAT, protoinfo and the scalars are a few
    /// hundred bytes; the builder does not bound-check, so callers keep this much free.
    static let maximumSize = 1024

    /// Writes one message carrying `object`'s attributes at `at` (which must have
    /// `maximumSize` bytes free) and returns its length.
    static func write(at: UnsafeMutableRawPointer, kind: Kind, flags: UInt16, sequence: UInt32,
                      family: UInt8, object: borrowing ConntrackObject) throws(NetlinkError) -> Int {
        let nlh = try writeHeader(at: at, kind: kind, flags: flags, sequence: sequence, family: family)
        if nfct_nlmsg_build(UnsafeMutableRawPointer(nlh).assumingMemoryBound(to: CNetfilterConntrack.nlmsghdr.self),
                            object.handle) < 0 {
            throw NetlinkError("nfct_nlmsg_build", errno: errno)
        }
        return Int(nlh.pointee.nlmsg_len)
    }

    /// Writes a message without attributes (a dump of one family, 0 = all) and returns its
    /// length.
    static func write(at: UnsafeMutableRawPointer, kind: Kind, flags: UInt16, sequence: UInt32,
                      family: UInt8) throws(NetlinkError) -> Int {
        let nlh = try writeHeader(at: at, kind: kind, flags: flags, sequence: sequence, family: family)
        return Int(nlh.pointee.nlmsg_len)
    }

    private static func writeHeader(at: UnsafeMutableRawPointer, kind: Kind, flags: UInt16, sequence: UInt32,
                                    family: UInt8) throws(NetlinkError) -> UnsafeMutablePointer<CMnl.nlmsghdr> {
        guard let nlh = mnl_nlmsg_put_header(at) else { throw NetlinkError("mnl_nlmsg_put_header", errno: EINVAL) }
        nlh.pointee.nlmsg_type = subsystem << 8 | kind.rawValue
        nlh.pointee.nlmsg_flags = flags
        nlh.pointee.nlmsg_seq = sequence
        // struct nfgenmsg: family, version NFNETLINK_V0, res_id (be16) 0.
        let nfg = mnl_nlmsg_put_extra_header(nlh, 4)!.assumingMemoryBound(to: UInt8.self)
        nfg[0] = family
        nfg[1] = 0
        nfg[2] = 0
        nfg[3] = 0
        return nlh
    }

    /// One received netlink message, read from a datagram.
    struct Header {
        var length: Int
        var type: UInt16
        var flags: UInt16
        var sequence: UInt32
        var portID: UInt32
        /// Where the message starts in the datagram.
        var offset: Int
    }

    static let done: UInt16 = 3   // NLMSG_DONE
    static let error: UInt16 = 2  // NLMSG_ERROR

    /// The messages in one datagram (netlink headers are host-endian, 4-byte aligned).
    static func headers(in datagram: UnsafeRawBufferPointer) -> [Header] {
        var result: [Header] = []
        var offset = 0
        while offset + 16 <= datagram.count {
            let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= 16, offset + length <= datagram.count else { break }
            result.append(Header(
                length: length,
                type: datagram.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                flags: datagram.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self),
                sequence: datagram.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                portID: datagram.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self),
                offset: offset))
            offset += (length + 3) & ~3
        }
        return result
    }

    /// The errno an NLMSG_ERROR message carries (0 = acknowledgement).
    static func errorCode(_ h: Header, in datagram: UnsafeRawBufferPointer) -> Int32 {
        guard h.length >= 20 else { return EPROTO }
        return -datagram.loadUnaligned(fromByteOffset: h.offset + 16, as: Int32.self)
    }

    /// Parses a ctnetlink conntrack message into a flow (nil: a family or protocol we do
    /// not replicate, or an unparsable message).
    static func flow(_ h: Header, in datagram: UnsafeRawBufferPointer) -> FlowStateParse {
        guard let object = try? ConntrackObject() else { return .unusable }
        let raw = UnsafeMutableRawPointer(mutating: datagram.baseAddress! + h.offset)
        guard nfct_nlmsg_parse(raw.assumingMemoryBound(to: CNetfilterConntrack.nlmsghdr.self), object.handle) >= 0,
              var flow = object.flowState() else { return .unusable }
        if ConntrackInjection.isICMP(flow.l4proto),
           let (id, typeCode) = icmpReplyPorts(h, in: datagram, v6: flow.l4proto == 58) {
            flow.reply.sourcePort = id
            flow.reply.destinationPort = typeCode
        }
        return .flow(flow)
    }
}

import TandemStateSync

enum FlowStateParse {
    case flow(FlowState)
    case unusable
}

/// `NetlinkSocket`'s calls throw only `NetlinkError` but are declared untyped (a shared API
/// other adapters rely on); this restores the type at the conntrack adapter's boundary.
func netlink<T>(_ body: () throws -> T) throws(NetlinkError) -> T {
    do {
        return try body()
    } catch let e as NetlinkError {
        throw e
    } catch {
        throw NetlinkError("netlink", errno: EIO, context: "\(error)")
    }
}
