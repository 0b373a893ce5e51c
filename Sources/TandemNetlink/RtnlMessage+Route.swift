#if canImport(Glibc)
import Glibc
#endif
import CMnl
import TandemAddress

/// RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE (rtnetlink(7), <linux/rtnetlink.h>).
extension RtnlMessage {
    static let rtaDst = UInt16(RTA_DST.rawValue)
    static let rtaGateway = UInt16(RTA_GATEWAY.rawValue)
    static let rtaPriority = UInt16(RTA_PRIORITY.rawValue)
    static let rtaTable = UInt16(RTA_TABLE.rawValue)
    static let rtaOif = UInt16(RTA_OIF.rawValue)

    /// Writes a route request. New routes are created only if absent (NLM_F_CREATE |
    /// NLM_F_EXCL, never NLM_F_REPLACE, which would take over another owner's route).
    static func route(_ type: UInt16, _ route: KernelRoute, sequence: UInt32,
                      into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let nlh = mnl_nlmsg_put_header(buffer.baseAddress)!
        nlh.pointee.nlmsg_type = type
        var flags = Int32(NLM_F_REQUEST | NLM_F_ACK)
        if type == UInt16(RTM_NEWROUTE) { flags |= Int32(NLM_F_CREATE | NLM_F_EXCL) }
        nlh.pointee.nlmsg_flags = UInt16(flags)
        nlh.pointee.nlmsg_seq = sequence
        let rtm = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<rtmsg>.size)!.assumingMemoryBound(to: rtmsg.self)
        rtm.pointee.rtm_family = family(route.destination.family)
        rtm.pointee.rtm_dst_len = UInt8(route.destination.prefixLength)
        // rtm_table is 8 bits; RTA_TABLE carries the full number (tables above 255).
        rtm.pointee.rtm_table = route.table < 256 ? UInt8(route.table) : UInt8(RT_TABLE_UNSPEC.rawValue)
        rtm.pointee.rtm_protocol = route.protocolNumber
        switch route.kind {
        case .unicast:
            rtm.pointee.rtm_scope = route.gateway == nil ? scopeLink : scopeUniverse
            rtm.pointee.rtm_type = UInt8(RTN_UNICAST)
        case .unreachable:
            // iproute2's default scope for a route that is not unicast, local or broadcast.
            rtm.pointee.rtm_scope = scopeUniverse
            rtm.pointee.rtm_type = UInt8(RTN_UNREACHABLE)
        }
        let dst = route.destination.network.bytes
        if route.destination.prefixLength > 0 {
            dst.withUnsafeBytes { mnl_attr_put(nlh, rtaDst, $0.count, $0.baseAddress) }
        }
        if let gw = route.gateway?.bytes {
            gw.withUnsafeBytes { mnl_attr_put(nlh, rtaGateway, $0.count, $0.baseAddress) }
        }
        mnl_attr_put_u32(nlh, rtaTable, route.table)
        if let metric = route.metric { mnl_attr_put_u32(nlh, rtaPriority, metric) }
        if let oif = route.outputInterface { mnl_attr_put_u32(nlh, rtaOif, UInt32(bitPattern: oif)) }
        return Int(nlh.pointee.nlmsg_len)
    }

    /// A unicast route from an RTM_NEWROUTE message (dump reply or event).
    static func parseRoute(_ nlh: UnsafePointer<nlmsghdr>) -> KernelRoute? {
        guard nlh.pointee.nlmsg_type == UInt16(RTM_NEWROUTE),
              Int(nlh.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + MemoryLayout<rtmsg>.size else { return nil }
        let rtm = UnsafeRawPointer(mnl_nlmsg_get_payload(nlh)!).loadUnaligned(as: rtmsg.self)
        guard rtm.rtm_type == UInt8(RTN_UNICAST) else { return nil }
        let fam: IPFamily
        switch Int32(rtm.rtm_family) {
        case AF_INET: fam = .ipv4
        case AF_INET6: fam = .ipv6
        default: return nil
        }
        var dst: IPAddress?
        var gateway: IPAddress?
        var table = UInt32(rtm.rtm_table)
        var metric: UInt32?
        var oif: Int32?
        forEachAttribute(nlh, offset: MemoryLayout<rtmsg>.size) { type, payload in
            switch type {
            case rtaDst: dst = address(payload, fam)
            case rtaGateway: gateway = address(payload, fam)
            case rtaTable where payload.count >= 4: table = payload.loadUnaligned(as: UInt32.self)
            case rtaPriority where payload.count >= 4: metric = payload.loadUnaligned(as: UInt32.self)
            case rtaOif where payload.count >= 4: oif = payload.loadUnaligned(as: Int32.self)
            default: break
            }
        }
        let zero: IPAddress = fam == .ipv4 ? IPAddress("0.0.0.0")! : IPAddress("::")!
        guard let destination = IPNetwork(address: dst ?? zero, prefixLength: Int(rtm.rtm_dst_len)) else { return nil }
        return KernelRoute(destination: destination, gateway: gateway, table: table, protocolNumber: rtm.rtm_protocol,
                           metric: metric, outputInterface: oif)
    }

    private static func address(_ payload: UnsafeRawBufferPointer, _ family: IPFamily) -> IPAddress? {
        switch family {
        case .ipv4: return payload.count == 4 ? IPv4Address(bytes: payload).map(IPAddress.v4) : nil
        case .ipv6: return payload.count == 16 ? IPv6Address(bytes: payload).map(IPAddress.v6) : nil
        }
    }

    /// RTM_GETROUTE dump of every family.
    static func routeDump(_ type: UInt16, sequence: UInt32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let nlh = mnl_nlmsg_put_header(buffer.baseAddress)!
        nlh.pointee.nlmsg_type = type
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        nlh.pointee.nlmsg_seq = sequence
        let rtm = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<rtmsg>.size)!.assumingMemoryBound(to: rtmsg.self)
        rtm.pointee.rtm_family = UInt8(AF_UNSPEC)
        return Int(nlh.pointee.nlmsg_len)
    }
}
