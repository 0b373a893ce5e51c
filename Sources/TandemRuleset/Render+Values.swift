import TandemAddress

/// Formatting of values shared by the rule, set and statement renderers.
enum RenderText {
    /// nft quoted string. Callers pass text already through `Canonical`, which removes the
    /// one character nft cannot quote (`"`).
    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    static func op(_ negated: Bool) -> String { negated ? "!= " : "" }

    static func name(_ operand: NameOperand) -> String {
        switch operand {
        case .name(let n): quoted(n)
        case .anonymousSet(let names): "{ \(names.map(quoted).joined(separator: ", ")) }"
        case .namedSet(let set): "@\(set)"
        }
    }

    static func address(_ operand: AddressOperand) -> String {
        switch operand {
        case .address(let a): "\(a)"
        case .prefix(let p): p.isHost ? "\(p.address)" : "\(p.masked)"
        case .range(let lo, let hi): "\(lo)-\(hi)"
        case .anonymousSet(let elements): "{ \(elements.map(element).joined(separator: ", ")) }"
        case .namedSet(let set): "@\(set)"
        }
    }

    static func port(_ operand: PortOperand) -> String {
        switch operand {
        case .port(let p): "\(p)"
        case .range(let lo, let hi): lo == hi ? "\(lo)" : "\(lo)-\(hi)"
        case .anonymousSet(let elements): "{ \(elements.map(element).joined(separator: ", ")) }"
        case .namedSet(let set): "@\(set)"
        }
    }

    static func portRange(_ range: ClosedRange<UInt16>) -> String {
        range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
    }

    static func natFlags(_ flags: NATFlags) -> String? {
        var words: [String] = []
        if flags.contains(.random) { words.append("random") }
        if flags.contains(.fullyRandom) { words.append("fully-random") }
        if flags.contains(.persistent) { words.append("persistent") }
        return words.isEmpty ? nil : words.joined(separator: ",")
    }

    static func value(_ v: SetValue) -> String {
        switch v {
        case .ipv4(let a): "\(a)"
        case .ipv6(let a): "\(a)"
        case .port(let p): "\(p)"
        case .proto(let p): Protocols.name(p)
        case .ifname(let n): quoted(n)
        case .mark(let m): hex(m)
        }
    }

    /// A set element; an interval that is exactly a prefix prints as one.
    static func element(_ e: SetElement) -> String {
        switch e {
        case .single(let v):
            return value(v)
        case .interval(let lo, let hi):
            if lo == hi { return value(lo) }
            if let prefix = SetValue.prefix(lo, hi) { return "\(prefix)" }
            return "\(value(lo))-\(value(hi))"
        case .mapping(let key, let verdict):
            return "\(value(key)) : \(verdict.render())"
        case .tuple(let values, let comment):
            let key = values.map(value).joined(separator: " . ")
            guard let comment, !comment.isEmpty else { return key }
            return "\(key) comment \(quoted(Canonical.comment(comment)))"
        }
    }

    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }

    static func masked(_ value: UInt32, _ mask: UInt32) -> String {
        mask == 0xffff_ffff ? hex(value) : "and \(hex(mask)) == \(hex(value))"
    }

    /// nft's standard priority names (nft(8) "Standard priority names") where value and
    /// hook match; otherwise the number.
    static func priority(_ value: Int32, hook: Hook) -> String {
        switch (value, hook) {
        case (-300, _): "raw"
        case (-150, _): "mangle"
        case (-100, .prerouting), (-100, .output): "dstnat"
        case (0, _): "filter"
        case (50, _): "security"
        case (100, .postrouting), (100, .input): "srcnat"
        default: "\(value)"
        }
    }
}

/// IP protocol numbers and the names nft prints for them. Only a fixed table is named so the
/// text does not depend on the host's /etc/protocols.
public enum Protocols {
    public static let icmp: UInt8 = 1
    public static let igmp: UInt8 = 2
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let gre: UInt8 = 47
    public static let esp: UInt8 = 50
    public static let ah: UInt8 = 51
    public static let icmpv6: UInt8 = 58
    /// CARP shares VRRP's protocol number; nft prints it as `vrrp`.
    public static let carp: UInt8 = 112
    public static let sctp: UInt8 = 132

    static let names: [UInt8: String] = [
        icmp: "icmp", igmp: "igmp", tcp: "tcp", udp: "udp", gre: "gre", esp: "esp", ah: "ah",
        icmpv6: "ipv6-icmp", carp: "vrrp", sctp: "sctp",
    ]

    public static func name(_ number: UInt8) -> String { names[number] ?? "\(number)" }

    public static func icmp(for family: IPFamily) -> UInt8 { family == .ipv4 ? icmp : icmpv6 }
}

/// ICMP and ICMPv6 type names as nft spells them (nft(8) ICMP TYPE / ICMPV6 TYPE).
public enum ICMPTypes {
    static let v4: [UInt8: String] = [
        0: "echo-reply", 3: "destination-unreachable", 4: "source-quench", 5: "redirect",
        8: "echo-request", 9: "router-advertisement", 10: "router-solicitation", 11: "time-exceeded",
        12: "parameter-problem", 13: "timestamp-request", 14: "timestamp-reply", 15: "info-request",
        16: "info-reply", 17: "address-mask-request", 18: "address-mask-reply",
    ]
    static let v6: [UInt8: String] = [
        1: "destination-unreachable", 2: "packet-too-big", 3: "time-exceeded", 4: "parameter-problem",
        128: "echo-request", 129: "echo-reply", 130: "mld-listener-query", 131: "mld-listener-report",
        133: "nd-router-solicit", 134: "nd-router-advert", 135: "nd-neighbor-solicit",
        136: "nd-neighbor-advert", 137: "nd-redirect", 138: "router-renumbering",
    ]

    public static func name(_ type: UInt8, family: IPFamily) -> String {
        (family == .ipv4 ? v4[type] : v6[type]) ?? "\(type)"
    }

    /// The number for a name in either spelling nft or pfSense uses (`echoreq` is pfSense's
    /// spelling of `echo-request`).
    public static func number(_ name: String, family: IPFamily) -> UInt8? {
        if let n = UInt8(name) { return n }
        let table = family == .ipv4 ? v4 : v6
        if let hit = table.first(where: { $0.value == name }) { return hit.key }
        return (family == .ipv4 ? pfSenseV4[name] : pfSenseV6[name])
    }

    /// pfSense's icmptype spellings (pf's names, `filter.inc` icmptypes list).
    static let pfSenseV4: [String: UInt8] = [
        "echorep": 0, "unreach": 3, "squench": 4, "redir": 5, "althost": 6, "echoreq": 8,
        "routeradv": 9, "routersol": 10, "timex": 11, "paramprob": 12, "timereq": 13, "timerep": 14,
        "inforeq": 15, "inforep": 16, "maskreq": 17, "maskrep": 18,
    ]
    static let pfSenseV6: [String: UInt8] = [
        "unreach": 1, "toobig": 2, "timex": 3, "paramprob": 4, "echoreq": 128, "echorep": 129,
        "groupqry": 130, "listqry": 130, "grouprep": 131, "listenrep": 131, "groupterm": 132,
        "routersol": 133, "routeradv": 134, "neighbrsol": 135, "neighbradv": 136, "redir": 137,
        "routrrenum": 138,
    ]
}
