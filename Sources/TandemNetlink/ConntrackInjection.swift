import TandemAddress
import TandemStateSync

/// The pure rules for turning a replicated `FlowState` into what ctnetlink accepts
/// (state-sync.md §0, §2.5, §3, §4.2). Kept free of C so it can be tested without a kernel.
public enum ConntrackInjection {
    /// IPS_* status bits (linux/netfilter/nf_conntrack_common.h).
    public enum Status {
        public static let expected: UInt32 = 0x1
        public static let seenReply: UInt32 = 0x2
        public static let assured: UInt32 = 0x4
        public static let confirmed: UInt32 = 0x8
        public static let sourceNAT: UInt32 = 0x10
        public static let destinationNAT: UInt32 = 0x20
        public static let sourceNATDone: UInt32 = 0x80
        public static let destinationNATDone: UInt32 = 0x100
    }

    /// IP_CT_TCP_FLAG_* (linux/netfilter/nf_conntrack_tcp.h).
    public enum TCPFlag {
        public static let windowScale: UInt8 = 0x01
        public static let sackPermitted: UInt8 = 0x02
        public static let closeInit: UInt8 = 0x04
        public static let beLiberal: UInt8 = 0x08
    }

    /// The only status bits userspace may set. ctnetlink silently ignores the
    /// IPS_UNCHANGEABLE_MASK bits (NAT, NAT_DONE, EXPECTED, CONFIRMED, DYING, …: NAT goes
    /// through CTA_NAT_*, and the kernel sets the NAT and NAT_DONE bits itself when it sets
    /// the binding up) and answers EBUSY to an update that clears SEEN_REPLY or ASSURED
    /// (state-sync.md §4.2). SEEN_REPLY + ASSURED are what make the first packet after a
    /// failover "established" and protect the entry from early drop (§3).
    public static let settableStatus: UInt32 = Status.seenReply | Status.assured

    /// The per-direction TCP flags we set on an injected entry, and the mask we send with
    /// them. Only the connection's lasting properties are carried (window scaling and SACK
    /// negotiated, who closed first); the transient tracker bits (DATA_UNACKNOWLEDGED,
    /// MAXACK_SET, CHALLENGE_ACK) describe window data that is not replicated, so they are
    /// cleared. BE_LIBERAL is always set: the entry starts with td_maxwin == 0 and re-learns
    /// the window from the next packet (state-sync.md §0.3, §2.5), as conntrackd does.
    public static let tcpFlagMask: UInt8 =
        TCPFlag.windowScale | TCPFlag.sackPermitted | TCPFlag.closeInit | TCPFlag.beLiberal

    public static func tcpFlags(_ flags: UInt8) -> UInt8 {
        (flags & tcpFlagMask) | TCPFlag.beLiberal
    }

    /// Whether the protocol keys flows by ports (TCP, UDP, SCTP, DCCP, UDP-Lite): only for
    /// these can a NAT binding carry a port (libnetfilter_conntrack builds CTA_NAT_PROTO
    /// for TCP and UDP only).
    public static func hasPorts(_ l4proto: UInt8) -> Bool {
        [6, 17, 33, 132, 136].contains(l4proto)
    }

    public static func isICMP(_ l4proto: UInt8) -> Bool { l4proto == 1 || l4proto == 58 }

    /// A NAT binding to request at creation: the address (and port) one side is mapped to.
    public struct Binding: Sendable, Hashable {
        public var address: IPAddress
        /// nil: keep the port (ICMP, or a protocol without ports).
        public var port: UInt16?
    }

    /// Source NAT visible in the flow: replies go to an address/port other than the
    /// original source. For ICMP the "ports" hold the echo id and type/code, which differ
    /// between directions by nature; there the binding is the address plus the echo id when
    /// NAT remapped it (the reply tuple carries the translated id as its source "port").
    public static func sourceNAT(of flow: FlowState) -> Binding? {
        if hasPorts(flow.l4proto) {
            guard flow.reply.destination != flow.original.source
                    || flow.reply.destinationPort != flow.original.sourcePort else { return nil }
            return Binding(address: flow.reply.destination, port: flow.reply.destinationPort)
        }
        if isICMP(flow.l4proto) {
            let idChanged = flow.reply.sourcePort != flow.original.sourcePort
            guard flow.reply.destination != flow.original.source || idChanged else { return nil }
            return Binding(address: flow.reply.destination, port: idChanged ? flow.reply.sourcePort : nil)
        }
        guard flow.reply.destination != flow.original.source else { return nil }
        return Binding(address: flow.reply.destination, port: nil)
    }

    /// Destination NAT (port forward): replies come from an address/port other than the
    /// original destination.
    public static func destinationNAT(of flow: FlowState) -> Binding? {
        if hasPorts(flow.l4proto) {
            guard flow.reply.source != flow.original.destination
                    || flow.reply.sourcePort != flow.original.destinationPort else { return nil }
            return Binding(address: flow.reply.source, port: flow.reply.sourcePort)
        }
        guard flow.reply.source != flow.original.destination else { return nil }
        return Binding(address: flow.reply.source, port: nil)
    }

    /// The reply tuple to send at creation: the plain inverse of the original. It must not be
    /// the NATed reply: nf_nat_setup_info derives the mapping from the inverse of the current
    /// reply tuple, so a reply that already carries the translation would make the kernel see
    /// "nothing to change", skip IPS_SRC_NAT/IPS_DST_NAT and never translate the packets.
    /// With the inverse, CTA_NAT_SRC/CTA_NAT_DST make the kernel rewrite the reply itself
    /// (state-sync.md §0.2; conntrackd NFCT_SOPT_SETUP_REPLY).
    public static func unNATedReply(of flow: FlowState) -> FlowTuple {
        let o = flow.original
        if isICMP(flow.l4proto) {
            // ICMP: the id stays, the type becomes the reply type (echo → echo reply).
            let type = UInt8(o.destinationPort >> 8)
            let code = UInt8(o.destinationPort & 0xff)
            let replyType = icmpReplyType(type, v6: flow.l4proto == 58) ?? type
            return FlowTuple(source: o.destination, destination: o.source,
                             sourcePort: o.sourcePort, destinationPort: UInt16(replyType) << 8 | UInt16(code))
        }
        return FlowTuple(source: o.destination, destination: o.source,
                         sourcePort: o.destinationPort, destinationPort: o.sourcePort)
    }

    /// The reply tuple the kernel ends up with after creating `flow`: the un-NATed inverse
    /// rewritten by the bindings. Equal to `flow.reply` for any flow read from a kernel,
    /// except an ICMP id remapped by NAT (which the binding cannot carry).
    public static func expectedReply(of flow: FlowState) -> FlowTuple {
        var reply = unNATedReply(of: flow)
        if let snat = sourceNAT(of: flow) {
            reply.destination = snat.address
            if let p = snat.port {
                if isICMP(flow.l4proto) { reply.sourcePort = p } else { reply.destinationPort = p }
            }
        }
        if let dnat = destinationNAT(of: flow) {
            reply.source = dnat.address
            if let p = dnat.port { reply.sourcePort = p }
        }
        return reply
    }

    /// The ICMP query types conntrack tracks and their answers (the kernel's invmap in
    /// nf_conntrack_proto_icmp.c / icmpv6.c). nil: not a trackable query/answer type.
    public static func icmpReplyType(_ type: UInt8, v6: Bool) -> UInt8? {
        let map: [UInt8: UInt8] = v6
            ? [128: 129, 129: 128, 139: 140, 140: 139]
            : [8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17]
        return map[type]
    }

    /// The flow as it should be created: status reduced to settable bits, TCP flags with
    /// BE_LIBERAL. (NAT and the reply tuple are applied by the message builder.)
    public static func forCreation(_ flow: FlowState) -> FlowState {
        var f = flow
        f.status = flow.status & settableStatus
        if var tcp = f.tcp {
            tcp.originalFlags = tcpFlags(tcp.originalFlags)
            tcp.replyFlags = tcpFlags(tcp.replyFlags)
            f.tcp = tcp
        }
        return f
    }
}
