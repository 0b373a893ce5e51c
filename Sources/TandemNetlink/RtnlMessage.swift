#if canImport(Glibc)
import Glibc
#endif
import CMnl
import TandemAddress

/// rtnetlink message building and parsing (rtnetlink(7), <linux/rtnetlink.h>,
/// <linux/if_addr.h>, <linux/if_link.h>). Pure functions over a message buffer; the
/// socket traffic lives in `Rtnetlink` and `LinkMonitor`.
enum RtnlMessage {
    static let bufferSize = 65_536

    // Attribute numbers (anonymous enums in the kernel headers).
    static let ifaAddress = UInt16(IFA_ADDRESS)
    static let ifaLocal = UInt16(IFA_LOCAL)
    static let ifaLabel = UInt16(IFA_LABEL)
    static let ifaFlags = UInt16(IFA_FLAGS)
    static let iflaAddress = UInt16(IFLA_ADDRESS)
    static let iflaIfname = UInt16(IFLA_IFNAME)
    static let iflaMTU = UInt16(IFLA_MTU)
    static let iflaOperstate = UInt16(IFLA_OPERSTATE)
    static let iflaCarrier = UInt16(IFLA_CARRIER)

    static let scopeUniverse: UInt8 = 0   // RT_SCOPE_UNIVERSE
    static let scopeLink: UInt8 = 253     // RT_SCOPE_LINK

    static func family(_ f: IPFamily) -> UInt8 {
        UInt8(f == .ipv4 ? AF_INET : AF_INET6)
    }

    /// Writes an RTM_NEWADDR / RTM_DELADDR request into `buffer`; returns its length.
    /// Both IFA_LOCAL and IFA_ADDRESS carry the address, with the real prefix length, so
    /// that a delete matches exactly this address (carp.md §12: IPv4 delete with
    /// IFA_ADDRESS, keepalived PR #155). New IPv6 addresses skip DAD (IFA_F_NODAD): a VIP
    /// must never sit tentative or end up dadfailed after a transient split brain.
    static func address(_ type: UInt16, _ address: IPNetwork, interfaceIndex: Int32, sequence: UInt32,
                        into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let nlh = mnl_nlmsg_put_header(buffer.baseAddress)!
        nlh.pointee.nlmsg_type = type
        var flags = Int32(NLM_F_REQUEST | NLM_F_ACK)
        if type == UInt16(RTM_NEWADDR) { flags |= Int32(NLM_F_CREATE | NLM_F_EXCL) }
        nlh.pointee.nlmsg_flags = UInt16(flags)
        nlh.pointee.nlmsg_seq = sequence
        let ifa = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!
            .assumingMemoryBound(to: ifaddrmsg.self)
        ifa.pointee.ifa_family = family(address.family)
        ifa.pointee.ifa_prefixlen = UInt8(address.prefixLength)
        ifa.pointee.ifa_index = UInt32(bitPattern: interfaceIndex)
        var linkLocal = false
        if case .v6(let a) = address.address { linkLocal = a.isLinkLocal }
        ifa.pointee.ifa_scope = linkLocal ? scopeLink : scopeUniverse
        if address.family == .ipv6 && type == UInt16(RTM_NEWADDR) {
            ifa.pointee.ifa_flags = UInt8(AddressFlag.noDAD)
        }
        let bytes = address.address.bytes
        bytes.withUnsafeBytes { raw in
            mnl_attr_put(nlh, ifaLocal, raw.count, raw.baseAddress)
            mnl_attr_put(nlh, ifaAddress, raw.count, raw.baseAddress)
        }
        return Int(nlh.pointee.nlmsg_len)
    }

    /// RTM_NEWLINK that sets IFF_UP on one interface.
    static func linkUp(interfaceIndex: Int32, sequence: UInt32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let nlh = mnl_nlmsg_put_header(buffer.baseAddress)!
        nlh.pointee.nlmsg_type = UInt16(RTM_NEWLINK)
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_ACK)
        nlh.pointee.nlmsg_seq = sequence
        let ifi = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifinfomsg>.size)!
            .assumingMemoryBound(to: ifinfomsg.self)
        ifi.pointee.ifi_family = UInt8(AF_UNSPEC)
        ifi.pointee.ifi_index = interfaceIndex
        ifi.pointee.ifi_flags = LinkFlag.up
        ifi.pointee.ifi_change = LinkFlag.up
        return Int(nlh.pointee.nlmsg_len)
    }

    /// A dump request (RTM_GETLINK / RTM_GETADDR) for every family.
    static func dump(_ type: UInt16, sequence: UInt32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let nlh = mnl_nlmsg_put_header(buffer.baseAddress)!
        nlh.pointee.nlmsg_type = type
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        nlh.pointee.nlmsg_seq = sequence
        if type == UInt16(RTM_GETLINK) {
            let ifi = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifinfomsg>.size)!
                .assumingMemoryBound(to: ifinfomsg.self)
            ifi.pointee.ifi_family = UInt8(AF_UNSPEC)
        } else {
            let ifa = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!
                .assumingMemoryBound(to: ifaddrmsg.self)
            ifa.pointee.ifa_family = UInt8(AF_UNSPEC)
        }
        return Int(nlh.pointee.nlmsg_len)
    }

    /// Calls `body` with each attribute's type and payload after a fixed header of `offset` bytes.
    static func forEachAttribute(_ nlh: UnsafePointer<nlmsghdr>, offset: Int,
                                 _ body: (UInt16, UnsafeRawBufferPointer) -> Void) {
        guard Int(nlh.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + offset else { return }
        let start = UnsafeRawPointer(nlh)
        let end = start + Int(nlh.pointee.nlmsg_len)
        var attr = UnsafeRawPointer(mnl_nlmsg_get_payload_offset(nlh, offset)!)
            .assumingMemoryBound(to: nlattr.self)
        while mnl_attr_ok(attr, Int32(end - UnsafeRawPointer(attr))) {
            let type = mnl_attr_get_type(attr)
            let payload = UnsafeRawBufferPointer(start: mnl_attr_get_payload(attr),
                                                 count: Int(mnl_attr_get_payload_len(attr)))
            body(type, payload)
            attr = UnsafePointer(mnl_attr_next(attr)!)
        }
    }

    /// A link from RTM_NEWLINK / RTM_DELLINK.
    static func parseLink(_ nlh: UnsafePointer<nlmsghdr>) -> LinkInfo? {
        guard Int(nlh.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + MemoryLayout<ifinfomsg>.size else { return nil }
        let ifi = UnsafeRawPointer(mnl_nlmsg_get_payload(nlh)!).loadUnaligned(as: ifinfomsg.self)
        var link = LinkInfo(index: ifi.ifi_index, name: "", flags: ifi.ifi_flags)
        forEachAttribute(nlh, offset: MemoryLayout<ifinfomsg>.size) { type, payload in
            switch type {
            case iflaIfname: link.name = string(payload)
            case iflaAddress: link.mac = Array(payload)
            case iflaMTU where payload.count >= 4: link.mtu = payload.loadUnaligned(as: UInt32.self)
            case iflaOperstate where payload.count >= 1: link.operState = OperState(rawValue: payload[0]) ?? .unknown
            case iflaCarrier where payload.count >= 1: link.carrier = payload[0] != 0
            default: break
            }
        }
        return link
    }

    /// An address from RTM_NEWADDR / RTM_DELADDR. IPv4 reports the interface's own address
    /// in IFA_LOCAL (IFA_ADDRESS is the peer on point-to-point links); IPv6 only in IFA_ADDRESS.
    static func parseAddress(_ nlh: UnsafePointer<nlmsghdr>) -> InterfaceAddress? {
        guard Int(nlh.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + MemoryLayout<ifaddrmsg>.size else { return nil }
        let ifa = UnsafeRawPointer(mnl_nlmsg_get_payload(nlh)!).loadUnaligned(as: ifaddrmsg.self)
        var local: [UInt8]?
        var peer: [UInt8]?
        var flags = UInt32(ifa.ifa_flags)
        var label: String?
        forEachAttribute(nlh, offset: MemoryLayout<ifaddrmsg>.size) { type, payload in
            switch type {
            case ifaLocal: local = Array(payload)
            case ifaAddress: peer = Array(payload)
            case ifaFlags where payload.count >= 4: flags = payload.loadUnaligned(as: UInt32.self)
            case ifaLabel: label = string(payload)
            default: break
            }
        }
        guard let raw = local ?? peer else { return nil }
        let ip: IPAddress?
        switch Int32(ifa.ifa_family) {
        case AF_INET: ip = IPv4Address(bytes: raw).map(IPAddress.v4)
        case AF_INET6: ip = IPv6Address(bytes: raw).map(IPAddress.v6)
        default: ip = nil
        }
        guard let ip, let network = IPNetwork(address: ip, prefixLength: Int(ifa.ifa_prefixlen)) else { return nil }
        return InterfaceAddress(interfaceIndex: Int32(bitPattern: ifa.ifa_index), network: network,
                                flags: flags, scope: ifa.ifa_scope, label: label)
    }

    /// The event a multicast notification carries, if it is one Tandem watches.
    static func parseEvent(_ nlh: UnsafePointer<nlmsghdr>) -> LinkEvent? {
        switch Int(nlh.pointee.nlmsg_type) {
        case Int(RTM_NEWLINK): return parseLink(nlh).map(LinkEvent.linkChanged)
        case Int(RTM_DELLINK): return parseLink(nlh).map { .linkRemoved(index: $0.index, name: $0.name) }
        case Int(RTM_NEWADDR): return parseAddress(nlh).map(LinkEvent.addressAdded)
        case Int(RTM_DELADDR): return parseAddress(nlh).map(LinkEvent.addressRemoved)
        default: return nil
        }
    }

    static func string(_ payload: UnsafeRawBufferPointer) -> String {
        let bytes = payload.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Walks the messages in one received datagram.
    static func forEachMessage(in buffer: UnsafeRawBufferPointer, _ body: (UnsafePointer<nlmsghdr>) throws -> Void) rethrows {
        var remaining = Int32(buffer.count)
        guard var nlh = buffer.baseAddress?.assumingMemoryBound(to: nlmsghdr.self) else { return }
        while mnl_nlmsg_ok(nlh, remaining) {
            try body(nlh)
            nlh = UnsafePointer(mnl_nlmsg_next(nlh, &remaining)!)
        }
    }
}
