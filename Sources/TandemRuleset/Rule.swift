import TandemAddress

/// One rule: matches (all must hold), then statements in order, the last usually a
/// verdict. `origin` ties it to the config item that produced it, so a kernel error on
/// this rule's netlink message can be reported as `filter/rule[12] "allow dns" (tracker …)`.
public struct Rule: Sendable, Hashable {
    public var matches: [Match]
    public var statements: [Statement]
    /// Kernel-side comment (udata, at most 128 bytes); rendered as `comment "…"`.
    public var comment: String?
    public var origin: RuleOrigin?

    public init(matches: [Match] = [], statements: [Statement], comment: String? = nil, origin: RuleOrigin? = nil) {
        self.matches = matches
        self.statements = statements
        self.comment = comment
        self.origin = origin
    }
}

/// Where a rule came from in config.xml.
public struct RuleOrigin: Sendable, Hashable, CustomStringConvertible {
    /// `filter/rule[12]`, `nat/outbound/rule[2]`, `nat/rule[1]`, or `auto/carp` for rules
    /// Tandem adds itself.
    public var path: String
    public var description_: String?
    public var tracker: String?
    public var line: Int?

    public init(path: String, description: String? = nil, tracker: String? = nil, line: Int? = nil) {
        self.path = path
        self.description_ = description
        self.tracker = tracker
        self.line = line
    }

    public var description: String {
        var s = path
        if let d = description_, !d.isEmpty { s += " \"\(d)\"" }
        if let t = tracker, !t.isEmpty { s += " (tracker \(t))" }
        return s
    }
}

public enum Direction: String, Sendable, Hashable { case source, destination }

public enum Match: Sendable, Hashable {
    case iifname(NameOperand, negated: Bool = false)
    case oifname(NameOperand, negated: Bool = false)
    /// `meta nfproto ipv4|ipv6` (only meaningful in inet tables).
    case nfproto(IPFamily)
    /// `meta l4proto …`: one protocol number or an anonymous set of them.
    case l4proto([UInt8], negated: Bool = false)
    /// `ip saddr …` / `ip6 daddr …`.
    case address(Direction, IPFamily, AddressOperand, negated: Bool = false)
    /// `th sport …` / `th dport …` (needs an l4proto match on tcp/udp/sctp/dccp first).
    case port(Direction, PortOperand, negated: Bool = false)
    /// `icmp type { … }` / `icmpv6 type { … }`.
    case icmpType(IPFamily, [UInt8])
    case ctState(Set<CtState>)
    case ctStatus(Set<CtStatus>)
    case ctMark(UInt32, mask: UInt32 = 0xffff_ffff)
    case metaMark(UInt32, mask: UInt32 = 0xffff_ffff)
    /// `fib daddr type local`: destination is one of this host's addresses (`(self)`).
    case fibDaddrLocal(negated: Bool = false)
    /// `ip saddr . ip daddr . th dport @set`: the fields' values, concatenated, are an
    /// element of the named set (a group of filter rules, `RuleGroups`).
    case concatenation([KeyField], set: String)
    /// `meta day`: the weekday, 0 = Sunday … 6 = Saturday, within the range. The kernel
    /// counts days in UTC (less the kernel's `sys_tz`, 0 unless set), nft_meta.c.
    case metaDay(ClosedRange<UInt8>)
    /// `meta hour`: seconds since midnight UTC within the range (nft_meta.c
    /// `nft_meta_hour()`).
    case metaHour(ClosedRange<UInt32>)
}

/// One field of a concatenated lookup.
public enum KeyField: Sendable, Hashable {
    case address(Direction, IPFamily)
    case port(Direction)
}

public enum NameOperand: Sendable, Hashable {
    case name(String)
    case anonymousSet([String])
    case namedSet(String)
}

public enum AddressOperand: Sendable, Hashable {
    case address(IPAddress)
    case prefix(IPNetwork)
    case range(IPAddress, IPAddress)
    /// Inline `{ … }` set of single addresses, prefixes and ranges (interval set).
    case anonymousSet([SetElement])
    /// `@name`.
    case namedSet(String)
}

public enum PortOperand: Sendable, Hashable {
    case port(UInt16)
    case range(UInt16, UInt16)
    case anonymousSet([SetElement])
    case namedSet(String)
}

public enum CtState: String, Sendable, Hashable, CaseIterable {
    case invalid, established, related, new, untracked
}

public enum CtStatus: String, Sendable, Hashable, CaseIterable {
    case expected, seenReply = "seen-reply", assured, confirmed, snat, dnat, dying
}

public enum Verdict: Sendable, Hashable {
    case accept, drop, `continue`, `return`
    case jump(String)
    case goto(String)
}

public enum Statement: Sendable, Hashable {
    case counter
    case log(prefix: String, level: LogLevel? = nil, group: UInt16? = nil)
    case verdict(Verdict)
    case reject(RejectKind)
    /// `iifname vmap @name` / `oifname vmap @name`.
    case vmap(key: VmapKey, map: String)
    case snat(NATTarget)
    case dnat(NATTarget)
    case masquerade(ports: ClosedRange<UInt16>?, flags: NATFlags)
    case notrack
    case ctMarkSet(UInt32)
    /// `ct mark set ct mark | BITS`: sets bits and keeps the rest of the mark (the
    /// compiler's flags beside other users of the mark).
    case ctMarkSetBits(UInt32)
    case metaMarkSet(UInt32)
}

public enum VmapKey: Sendable, Hashable { case iifname, oifname }

public enum LogLevel: String, Sendable, Hashable {
    case emerg, alert, crit, err, warn, notice, info, debug
}

public enum RejectKind: Sendable, Hashable {
    /// `reject with tcp reset`.
    case tcpReset
    /// `reject with icmpx port-unreachable` (inet tables; ICMP or ICMPv6 by family).
    case icmpxPortUnreachable
    case icmpxAdminProhibited
    /// Plain `reject` (port unreachable for the packet's family).
    case `default`
}

/// Where a NAT statement translates to. `family` is required in inet tables
/// (`snat ip to …`).
public struct NATTarget: Sendable, Hashable {
    public var family: IPFamily
    public var address: AddressOperand?
    public var ports: ClosedRange<UInt16>?
    public var flags: NATFlags

    public init(family: IPFamily, address: AddressOperand?, ports: ClosedRange<UInt16>? = nil, flags: NATFlags = []) {
        self.family = family
        self.address = address
        self.ports = ports
        self.flags = flags
    }
}

public struct NATFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let random = NATFlags(rawValue: 1 << 0)
    public static let fullyRandom = NATFlags(rawValue: 1 << 1)
    public static let persistent = NATFlags(rawValue: 1 << 2)
}
