#if canImport(Glibc)
import Glibc
#endif
import CMnl
import CNetfilterConntrack
import TandemAddress
import TandemStateSync

/// The two places where libnetfilter_conntrack cannot express an ICMP flow and the message
/// is handled directly: an echo id remapped by source NAT (CTA_NAT_PROTO is built for TCP
/// and UDP only), and the reply tuple's id and type (parsed, but not readable through the
/// attribute getters).
extension ConntrackMessage {
    /// A create request for `flow` (already passed through `ConntrackInjection.forCreation`).
    static func writeCreate(at: UnsafeMutableRawPointer, flags: UInt16, sequence: UInt32,
                            flow: FlowState) throws(NetlinkError) -> Int {
        let object = try ConntrackObject(flow: flow, for: .create)
        let family: UInt8 = flow.family == .ipv4 ? ConntrackObject.afINET : ConntrackObject.afINET6
        let length = try write(at: at, kind: .new, flags: flags, sequence: sequence, family: family, object: object)
        guard ConntrackObject.needsRawICMPBinding(flow), let snat = ConntrackInjection.sourceNAT(of: flow),
              let id = snat.port else { return length }
        // CTA_NAT_SRC { V4/V6_MINIP, CTA_NAT_PROTO { PORT_MIN, PORT_MAX } }: the kernel
        // reads the ICMP id from the port range (nf_nat_l4proto_nlattr_to_range).
        let nlh = at.assumingMemoryBound(to: CMnl.nlmsghdr.self)
        let nat = mnl_attr_nest_start(nlh, UInt16(CTA_NAT_SRC.rawValue))
        switch snat.address {
        case .v4(let a): mnl_attr_put_u32(nlh, UInt16(CTA_NAT_V4_MINIP.rawValue), a.value.bigEndian)
        case .v6(let a):
            a.bytes.withUnsafeBytes { mnl_attr_put(nlh, UInt16(CTA_NAT_V6_MINIP.rawValue), 16, $0.baseAddress) }
        }
        let proto = mnl_attr_nest_start(nlh, UInt16(CTA_NAT_PROTO.rawValue))
        mnl_attr_put_u16(nlh, UInt16(CTA_PROTONAT_PORT_MIN.rawValue), id.bigEndian)
        mnl_attr_put_u16(nlh, UInt16(CTA_PROTONAT_PORT_MAX.rawValue), id.bigEndian)
        mnl_attr_nest_end(nlh, proto)
        mnl_attr_nest_end(nlh, nat)
        return Int(nlh.pointee.nlmsg_len)
    }

    /// The reply tuple's ICMP id and type/code in `FlowTuple`'s convention, read from the
    /// message's CTA_TUPLE_REPLY { CTA_TUPLE_PROTO { ICMP(V6)_ID, _TYPE, _CODE } }.
    static func icmpReplyPorts(_ h: Header, in datagram: UnsafeRawBufferPointer, v6: Bool) -> (UInt16, UInt16)? {
        let body = (h.offset + 20)..<(h.offset + h.length)
        guard let tuple = attributes(datagram, body)[UInt16(CTA_TUPLE_REPLY.rawValue)],
              let proto = attributes(datagram, tuple)[UInt16(CTA_TUPLE_PROTO.rawValue)] else { return nil }
        let fields = attributes(datagram, proto)
        let (idType, typeType, codeType) = v6
            ? (CTA_PROTO_ICMPV6_ID, CTA_PROTO_ICMPV6_TYPE, CTA_PROTO_ICMPV6_CODE)
            : (CTA_PROTO_ICMP_ID, CTA_PROTO_ICMP_TYPE, CTA_PROTO_ICMP_CODE)
        guard let id = fields[UInt16(idType.rawValue)], id.count >= 2,
              let type = fields[UInt16(typeType.rawValue)], type.count >= 1,
              let code = fields[UInt16(codeType.rawValue)], code.count >= 1 else { return nil }
        let idValue = UInt16(datagram[id.lowerBound]) << 8 | UInt16(datagram[id.lowerBound + 1])
        return (idValue, UInt16(datagram[type.lowerBound]) << 8 | UInt16(datagram[code.lowerBound]))
    }

    /// The netlink attributes in `range` (type without the nested/byte-order flags → payload).
    static func attributes(_ d: UnsafeRawBufferPointer, _ range: Range<Int>) -> [UInt16: Range<Int>] {
        var result: [UInt16: Range<Int>] = [:]
        var offset = range.lowerBound
        while offset + 4 <= range.upperBound {
            let length = Int(d.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = d.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            guard length >= 4, offset + length <= range.upperBound else { break }
            result[type] = (offset + 4)..<(offset + length)
            offset += (length + 3) & ~3
        }
        return result
    }
}
