import TandemAddress

/// One connection-tracking entry as Tandem replicates it: the full, idempotent state of a
/// flow (state-sync.md §0: each message carries the complete current state, so applying it
/// twice is harmless). Produced from kernel events by the conntrack adapter, carried by the
/// sync protocol, and injected into the peer's kernel by the mirror.
///
/// NAT is not a separate field: it is the difference between the original tuple and the
/// reply tuple (reply.destination ≠ original.source means source NAT; reply.source ≠
/// original.destination means destination NAT), which is how ctnetlink reports it and how
/// the receiver rebuilds CTA_NAT_SRC / CTA_NAT_DST at creation (state-sync.md §3).
public struct FlowState: Sendable, Hashable {
    public var family: IPFamily
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …).
    public var l4proto: UInt8
    public var original: FlowTuple
    public var reply: FlowTuple
    /// Conntrack status bits (IPS_* from linux/netfilter/nf_conntrack_common.h).
    public var status: UInt32
    /// Seconds left before the entry expires, when read.
    public var timeout: UInt32
    public var mark: UInt32
    public var zone: UInt16
    /// TCP only: the tracker's state and per-direction window scale and flags.
    public var tcp: TCPInfo?

    public init(family: IPFamily, l4proto: UInt8, original: FlowTuple, reply: FlowTuple, status: UInt32,
                timeout: UInt32, mark: UInt32 = 0, zone: UInt16 = 0, tcp: TCPInfo? = nil) {
        self.family = family
        self.l4proto = l4proto
        self.original = original
        self.reply = reply
        self.status = status
        self.timeout = timeout
        self.mark = mark
        self.zone = zone
        self.tcp = tcp
    }

    /// Identifies the flow across both nodes: the original-direction tuple, protocol and
    /// zone (kernel conntrack ids are per-node and never sent).
    public var key: FlowKey {
        FlowKey(family: family, l4proto: l4proto, original: original, zone: zone)
    }

    /// Source NAT in effect: the address/port replies are sent to differs from the
    /// original source.
    public var isSourceNAT: Bool {
        // ICMP "ports" are the echo id and type/code, and the type differs between the
        // directions by nature: NAT shows in the address, or in an echo id remapped by NAT,
        // which the reply carries as its source "port".
        if isICMP { return reply.destination != original.source || reply.sourcePort != original.sourcePort }
        return reply.destination != original.source || reply.destinationPort != original.sourcePort
    }

    /// Destination NAT in effect (port forward).
    public var isDestinationNAT: Bool {
        if isICMP { return reply.source != original.destination }
        return reply.source != original.destination || reply.sourcePort != original.destinationPort
    }

    private var isICMP: Bool { l4proto == 1 || l4proto == 58 }
}

/// Addresses and ports of one direction. For ICMP, `sourcePort` holds the echo id and
/// `destinationPort` holds `type << 8 | code`, as conntrack keys ICMP flows.
public struct FlowTuple: Sendable, Hashable {
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }
}

public struct FlowKey: Sendable, Hashable {
    public var family: IPFamily
    public var l4proto: UInt8
    public var original: FlowTuple
    public var zone: UInt16

    public init(family: IPFamily, l4proto: UInt8, original: FlowTuple, zone: UInt16 = 0) {
        self.family = family
        self.l4proto = l4proto
        self.original = original
        self.zone = zone
    }

    /// One word into the hasher instead of each field and enum payload: the state-sync tables
    /// look a key up several times per conntrack event, and the synthesized hash was the
    /// largest single cost of the intake in a profile at 80k events/s.
    public func hash(into hasher: inout Hasher) {
        var h = FlowHash()
        h.add(original)
        h.add(UInt64(family == .ipv4 ? 4 : 6) << 24 | UInt64(l4proto) << 16 | UInt64(zone))
        hasher.combine(h.value)
    }
}

public struct TCPInfo: Sendable, Hashable {
    /// TCP_CONNTRACK_* (1 SYN_SENT … 3 ESTABLISHED … 7 CLOSE).
    public var state: UInt8
    public var originalWindowScale: UInt8
    public var replyWindowScale: UInt8
    /// IP_CT_TCP_FLAG_* per direction (0x08 = be liberal).
    public var originalFlags: UInt8
    public var replyFlags: UInt8

    public init(state: UInt8, originalWindowScale: UInt8 = 0, replyWindowScale: UInt8 = 0,
                originalFlags: UInt8 = 0, replyFlags: UInt8 = 0) {
        self.state = state
        self.originalWindowScale = originalWindowScale
        self.replyWindowScale = replyWindowScale
        self.originalFlags = originalFlags
        self.replyFlags = replyFlags
    }
}
