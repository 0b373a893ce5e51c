#if canImport(Glibc)
import Glibc
#endif
import CNetfilterConntrack
import TandemAddress
import TandemStateSync

/// What a conntrack object built from a `FlowState` is for: each ctnetlink request accepts
/// a different set of attributes (state-sync.md §4.2).
enum ConntrackPurpose {
    /// IPCTNL_MSG_CT_NEW with NLM_F_CREATE: both tuples (the reply un-NATed), NAT bindings,
    /// status, protoinfo, timeout (mandatory), mark, zone.
    case create
    /// IPCTNL_MSG_CT_NEW without NLM_F_CREATE on an existing entry: no NAT, no reply tuple
    /// (the kernel answers EOPNOTSUPP to NAT on an existing entry).
    case update(includeStatus: Bool)
    /// IPCTNL_MSG_CT_DELETE / GET: the original tuple and zone only.
    case lookup
}

extension ConntrackObject {
    static let afINET: UInt8 = 2
    static let afINET6: UInt8 = 10

    /// Builds the object for `purpose` from a flow (already passed through
    /// `ConntrackInjection.forCreation` where that applies).
    init(flow: FlowState, for purpose: ConntrackPurpose) throws(NetlinkError) {
        try self.init()
        let l3: UInt8 = flow.family == .ipv4 ? Self.afINET : Self.afINET6
        set(ATTR_ORIG_L3PROTO, u8: l3)
        set(ATTR_ORIG_L4PROTO, u8: flow.l4proto)
        setTuple(flow.original, direction: .original)
        set(ATTR_ZONE, u16: flow.zone)

        switch purpose {
        case .lookup:
            return
        case .create:
            set(ATTR_REPL_L3PROTO, u8: l3)
            set(ATTR_REPL_L4PROTO, u8: flow.l4proto)
            setTuple(ConntrackInjection.unNATedReply(of: flow), direction: .reply)
            // An ICMP binding with an echo id cannot be expressed through the library (it
            // builds CTA_NAT_PROTO for TCP and UDP only); ConntrackMessage.writeCreate appends
            // that one itself.
            if let snat = ConntrackInjection.sourceNAT(of: flow), !Self.needsRawICMPBinding(flow) {
                setNAT(snat, address: (ATTR_SNAT_IPV4, ATTR_SNAT_IPV6), port: ATTR_SNAT_PORT)
            }
            if let dnat = ConntrackInjection.destinationNAT(of: flow) {
                setNAT(dnat, address: (ATTR_DNAT_IPV4, ATTR_DNAT_IPV6), port: ATTR_DNAT_PORT)
            }
            set(ATTR_STATUS, u32: flow.status & ConntrackInjection.settableStatus)
        case .update(let includeStatus):
            if includeStatus { set(ATTR_STATUS, u32: flow.status & ConntrackInjection.settableStatus) }
        }
        set(ATTR_TIMEOUT, u32: flow.timeout)
        set(ATTR_MARK, u32: flow.mark)
        if flow.l4proto == 6, let tcp = flow.tcp {
            set(ATTR_TCP_STATE, u8: tcp.state)
            set(ATTR_TCP_FLAGS_ORIG, u8: ConntrackInjection.tcpFlags(tcp.originalFlags))
            set(ATTR_TCP_MASK_ORIG, u8: ConntrackInjection.tcpFlagMask)
            set(ATTR_TCP_FLAGS_REPL, u8: ConntrackInjection.tcpFlags(tcp.replyFlags))
            set(ATTR_TCP_MASK_REPL, u8: ConntrackInjection.tcpFlagMask)
            // The kernel applies window scales only when both are present and both
            // directions carry WINDOW_SCALE (nlattr_to_tcp; state-sync.md §2.8), so they
            // travel together with the flags.
            set(ATTR_TCP_WSCALE_ORIG, u8: tcp.originalWindowScale)
            set(ATTR_TCP_WSCALE_REPL, u8: tcp.replyWindowScale)
        }
    }

    enum Direction { case original, reply }

    static func needsRawICMPBinding(_ flow: FlowState) -> Bool {
        ConntrackInjection.isICMP(flow.l4proto) && ConntrackInjection.sourceNAT(of: flow)?.port != nil
    }

    /// Ports go through the generic PORT attributes for every protocol: for ICMP the same
    /// union holds the echo id (source) and type/code (destination), in network order,
    /// which is exactly `FlowTuple`'s ICMP convention.
    private func setTuple(_ t: FlowTuple, direction: Direction) {
        let (srcV4, dstV4, srcV6, dstV6, sport, dport) = direction == .original
            ? (ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_SRC, ATTR_ORIG_IPV6_DST,
               ATTR_ORIG_PORT_SRC, ATTR_ORIG_PORT_DST)
            : (ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_SRC, ATTR_REPL_IPV6_DST,
               ATTR_REPL_PORT_SRC, ATTR_REPL_PORT_DST)
        setAddress(t.source, v4: srcV4, v6: srcV6)
        setAddress(t.destination, v4: dstV4, v6: dstV6)
        set(sport, u16: t.sourcePort.bigEndian)
        set(dport, u16: t.destinationPort.bigEndian)
    }

    private func setAddress(_ a: IPAddress, v4: nf_conntrack_attr, v6: nf_conntrack_attr) {
        switch a {
        case .v4(let x): set(v4, u32: x.value.bigEndian)
        case .v6(let x): set(v6, bytes: x.bytes)
        }
    }

    private func setNAT(_ b: ConntrackInjection.Binding, address: (nf_conntrack_attr, nf_conntrack_attr),
                        port: nf_conntrack_attr) {
        setAddress(b.address, v4: address.0, v6: address.1)
        if let p = b.port { set(port, u16: p.bigEndian) }
    }

    /// The flow this object (parsed from a kernel message) describes, or nil for a family or
    /// protocol Tandem does not replicate (e.g. an entry without addresses).
    func flowState() -> FlowState? {
        let l3 = u8(ATTR_ORIG_L3PROTO)
        let l4 = u8(ATTR_ORIG_L4PROTO)
        let family: IPFamily
        switch l3 {
        case Self.afINET: family = .ipv4
        case Self.afINET6: family = .ipv6
        default: return nil
        }
        guard let original = tuple(.original, family: family, l4proto: l4),
              var reply = tuple(.reply, family: family, l4proto: l4) else { return nil }
        if ConntrackInjection.isICMP(l4) {
            // libnetfilter_conntrack parses the reply's ICMP fields into the reply tuple but
            // flags them as the shared ATTR_ICMP_*, which read the original tuple, so they
            // cannot be read back here: start from what the kernel would build (same id,
            // reply type); `ConntrackMessage.flow` reads the real ones from the message.
            let inverse = ConntrackInjection.unNATedReply(of: FlowState(
                family: family, l4proto: l4, original: original, reply: reply, status: 0, timeout: 0))
            reply.sourcePort = inverse.sourcePort
            reply.destinationPort = inverse.destinationPort
        }
        var tcp: TCPInfo?
        if l4 == 6, isSet(ATTR_TCP_STATE) {
            tcp = TCPInfo(state: u8(ATTR_TCP_STATE),
                          originalWindowScale: u8(ATTR_TCP_WSCALE_ORIG), replyWindowScale: u8(ATTR_TCP_WSCALE_REPL),
                          originalFlags: u8(ATTR_TCP_FLAGS_ORIG), replyFlags: u8(ATTR_TCP_FLAGS_REPL))
        }
        return FlowState(family: family, l4proto: l4, original: original, reply: reply,
                         status: u32(ATTR_STATUS), timeout: u32(ATTR_TIMEOUT), mark: u32(ATTR_MARK),
                         zone: u16(ATTR_ZONE), tcp: tcp)
    }

    private func tuple(_ direction: Direction, family: IPFamily, l4proto: UInt8) -> FlowTuple? {
        let orig = direction == .original
        let src: IPAddress?
        let dst: IPAddress?
        switch family {
        case .ipv4:
            let (s, d) = orig ? (ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV4_DST) : (ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV4_DST)
            src = isSet(s) ? .v4(IPv4Address(UInt32(bigEndian: u32(s)))) : nil
            dst = isSet(d) ? .v4(IPv4Address(UInt32(bigEndian: u32(d)))) : nil
        case .ipv6:
            let (s, d) = orig ? (ATTR_ORIG_IPV6_SRC, ATTR_ORIG_IPV6_DST) : (ATTR_REPL_IPV6_SRC, ATTR_REPL_IPV6_DST)
            src = bytes(s, count: 16).flatMap { IPv6Address(bytes: $0) }.map { .v6($0) }
            dst = bytes(d, count: 16).flatMap { IPv6Address(bytes: $0) }.map { .v6($0) }
        }
        guard let src, let dst else { return nil }
        var sport: UInt16 = 0
        var dport: UInt16 = 0
        if ConntrackInjection.isICMP(l4proto) {
            if orig {
                sport = UInt16(bigEndian: u16(ATTR_ICMP_ID))
                dport = UInt16(u8(ATTR_ICMP_TYPE)) << 8 | UInt16(u8(ATTR_ICMP_CODE))
            }
        } else {
            let (s, d) = orig ? (ATTR_ORIG_PORT_SRC, ATTR_ORIG_PORT_DST) : (ATTR_REPL_PORT_SRC, ATTR_REPL_PORT_DST)
            sport = UInt16(bigEndian: u16(s))
            dport = UInt16(bigEndian: u16(d))
        }
        return FlowTuple(source: src, destination: dst, sourcePort: sport, destinationPort: dport)
    }
}
