import TandemAddress

/// Which flows state sync carries: applied to this node's flows before they are sent, and to
/// the peer's before they are injected here. An injected flow is an established connection
/// the ruleset accepts without looking further (`ct state established accept` comes first),
/// so the peer must not be able to open, through sync, what the ruleset would refuse to
/// this node itself: conntrackd's configuration keeps the firewall's own and VIP addresses
/// out of sync for the same reason (its `Filter { Address Ignore }` example), and pfsync
/// leaves `no-sync` states out.
public struct FlowScope: Sendable, Equatable {
    /// This node's own addresses (interfaces, loopback) and the peer's sync address: a flow
    /// with any of them in either tuple is the nodes' own traffic.
    public var nodeAddresses: Set<IPAddress>
    /// The VIPs: a flow that starts at one (original source) or ends at one after NAT (reply
    /// source) is traffic of a service on the firewall itself. Flows NATed to a VIP (reply
    /// destination) or port-forwarded from one (original destination) are forwarded traffic
    /// and in scope.
    public var serviceAddresses: Set<IPAddress>
    /// Conntrack zones in use; nil accepts any. Tandem's ruleset uses zone 0 only.
    public var zones: Set<UInt16>?
    /// Conntrack mark bits with a meaning to this node's ruleset; a flow carrying any of them
    /// is out of scope (Tandem's: `nopfsync` flows, which the peer must never send).
    public var reservedMarkBits: UInt32
    /// The longest timeout the kernel gives each protocol; an injected flow never lives longer.
    public var timeoutCeilings: TimeoutCeilings

    public init(nodeAddresses: Set<IPAddress> = [], serviceAddresses: Set<IPAddress> = [], zones: Set<UInt16>? = nil,
                reservedMarkBits: UInt32 = 0, timeoutCeilings: TimeoutCeilings = .kernelDefaults) {
        self.nodeAddresses = nodeAddresses
        self.serviceAddresses = serviceAddresses
        self.zones = zones
        self.reservedMarkBits = reservedMarkBits
        self.timeoutCeilings = timeoutCeilings
    }

    /// Why `flow` is out of scope, or nil when it is in.
    public func refusal(_ flow: FlowState) -> FlowRefusal? {
        if flow.l4proto == 112 { return .carp }
        if let zones, !zones.contains(flow.zone) { return .zone }
        if flow.mark & reservedMarkBits != 0 { return .reservedMark }
        for a in [flow.original.source, flow.original.destination, flow.reply.source, flow.reply.destination] {
            if nodeAddresses.contains(a) { return .nodeAddress }
            switch a {
            case .v4(let v): if v.isMulticast || v.value >> 24 == 127 || v.value == 0xffff_ffff { return .multicastOrLoopback }
            case .v6(let v): if v.isMulticast || v.isLinkLocal || (v.high == 0 && v.low == 1) { return .multicastOrLoopback }
            }
        }
        if serviceAddresses.contains(flow.original.source) || serviceAddresses.contains(flow.reply.source) {
            return .serviceAddress
        }
        return nil
    }

    /// `flow` as it may be injected: its timeout capped at the protocol's ceiling.
    public func admitted(_ flow: FlowState) -> FlowState {
        let ceiling = timeoutCeilings.ceiling(for: flow.l4proto)
        guard flow.timeout > ceiling else { return flow }
        var capped = flow
        capped.timeout = ceiling
        return capped
    }
}

/// Why a flow is out of scope; counted per reason on receive (`SyncCounters.flowsRefused`).
public enum FlowRefusal: String, Sendable, Hashable, CaseIterable, Codable, CodingKeyRepresentable {
    /// IP protocol 112: CARP's own packets.
    case carp
    /// A zone the ruleset does not use.
    case zone
    /// A reserved conntrack mark bit is set.
    case reservedMark
    /// To or from one of the nodes' own addresses.
    case nodeAddress
    /// Multicast, broadcast, loopback or link-local.
    case multicastOrLoopback
    /// To or from a service on a VIP (the firewall itself).
    case serviceAddress
}

/// The kernel's longest timeout per IP protocol, in seconds (the largest of each protocol's
/// `net.netfilter.nf_conntrack_*_timeout*` sysctls).
public struct TimeoutCeilings: Sendable, Equatable {
    public var perProtocol: [UInt8: UInt32]
    /// Protocols without a tracker of their own (`nf_conntrack_generic_timeout`).
    public var generic: UInt32

    public init(perProtocol: [UInt8: UInt32], generic: UInt32) {
        self.perProtocol = perProtocol
        self.generic = generic
    }

    public func ceiling(for l4proto: UInt8) -> UInt32 { perProtocol[l4proto] ?? generic }

    /// Linux's defaults (Documentation/networking/nf_conntrack-sysctl.rst, 6.1): TCP
    /// established 5 days, UDP stream 120 s, ICMP/ICMPv6 30 s, SCTP established 210 s, GRE
    /// stream 180 s, DCCP open 12 h, anything else 600 s.
    public static let kernelDefaults = TimeoutCeilings(
        perProtocol: [6: 432_000, 17: 120, 136: 120, 1: 30, 58: 30, 132: 210, 47: 180, 33: 43_200], generic: 600)

    /// The sysctls each protocol's ceiling is the largest of, for a node that reads its own.
    public static let sysctls: [UInt8: [String]] = [
        6: ["nf_conntrack_tcp_timeout_established", "nf_conntrack_tcp_timeout_syn_sent",
            "nf_conntrack_tcp_timeout_time_wait", "nf_conntrack_tcp_timeout_unacknowledged"],
        17: ["nf_conntrack_udp_timeout_stream", "nf_conntrack_udp_timeout"],
        136: ["nf_conntrack_udp_timeout_stream", "nf_conntrack_udp_timeout"],
        1: ["nf_conntrack_icmp_timeout"],
        58: ["nf_conntrack_icmpv6_timeout"],
        132: ["nf_conntrack_sctp_timeout_established"],
        47: ["nf_conntrack_gre_timeout_stream"],
        33: ["nf_conntrack_dccp_timeout_open"],
    ]

    /// Ceilings from the node's sysctls (read by `value`, nil when absent); a protocol whose
    /// sysctls cannot be read keeps the default.
    public static func reading(_ value: (String) -> UInt32?) -> TimeoutCeilings {
        var ceilings = kernelDefaults
        for (proto, names) in sysctls {
            let values = names.compactMap(value)
            if let largest = values.max() { ceilings.perProtocol[proto] = largest }
        }
        if let generic = value("nf_conntrack_generic_timeout") { ceilings.generic = generic }
        return ceilings
    }
}
