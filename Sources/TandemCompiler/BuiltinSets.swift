import TandemAddress
import TandemConfig
import TandemRuleset

/// Sets Tandem defines itself, emitted only when a rule refers to them.
enum BuiltinSet: String, CaseIterable, Hashable {
    case privateV4, privateV6, bogonsV4, bogonsV6, selfV4, selfV6, autoNATSourcesV4

    var name: String {
        switch self {
        case .privateV4: "private_v4"
        case .privateV6: "private_v6"
        case .bogonsV4: "bogons_v4"
        case .bogonsV6: "bogons_v6"
        case .selfV4: "self_v4"
        case .selfV6: "self_v6"
        case .autoNATSourcesV4: "auto_nat_sources_v4"
        }
    }

    var family: IPFamily {
        switch self {
        case .privateV4, .bogonsV4, .selfV4, .autoNATSourcesV4: .ipv4
        case .privateV6, .bogonsV6, .selfV6: .ipv6
        }
    }

    /// pfSense's RFC 1918 block list for `blockpriv` (nftables.md §3.2): 10/8, 127/8,
    /// 172.16/12, 192.168/16 and fc00::/7.
    static let privateV4List = ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    static let privateV6List = ["fc00::/7"]

    /// The built-in bogon list for `blockbogons`. pfSense loads Team Cymru's list from
    /// /etc/bogons and refreshes it outside reloads; Tandem ships the IANA special-purpose
    /// registries' never-routed blocks (RFC 6890 and its updates) as a static stand-in, which
    /// a later element-only refresh can replace. Note the documentation ranges are bogons:
    /// an interface with `blockbogons` drops 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
    /// and 2001:db8::/32 sources.
    static let bogonsV4List = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ]
    static let bogonsV6List = [
        "::/8", "100::/64", "2001:2::/48", "2001:10::/28", "2001:db8::/32", "3ffe::/16", "5f00::/8",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ]

    func namedSet(config: Config) -> NamedSet {
        let texts: [String]
        var comment: String
        switch self {
        case .privateV4: texts = Self.privateV4List; comment = "RFC 1918 and loopback (blockpriv)"
        case .privateV6: texts = Self.privateV6List; comment = "unique local (blockpriv)"
        case .bogonsV4: texts = Self.bogonsV4List; comment = "built-in bogons (blockbogons)"
        case .bogonsV6: texts = Self.bogonsV6List; comment = "built-in bogons (blockbogons)"
        case .selfV4, .selfV6:
            texts = CompileContext(config: config).ownAddresses(family: family).map(\.description)
            comment = "this firewall's addresses incl. VIPs ((self))"
        case .autoNATSourcesV4:
            texts = OutboundNATRules.automaticSources(config: config).map(\.description)
            comment = "automatic outbound NAT sources (tonatsubnets)"
        }
        let elements = texts.compactMap(IPNetwork.init).map(SetElement.covering)
        return NamedSet(name: name, keyType: family == .ipv4 ? .ipv4Address : .ipv6Address, flags: .interval,
                        elements: SetElement.mergedIntervals(elements), comment: comment)
    }
}

extension SetElement {
    /// The interval a prefix covers (a host prefix becomes a single value).
    static func covering(_ n: IPNetwork) -> SetElement {
        let lo = SetValue.from(n.network), hi = SetValue.from(n.last)
        return lo == hi ? .single(lo) : .interval(lo, hi)
    }

    static func covering(_ lo: IPAddress, _ hi: IPAddress) -> SetElement {
        let l = SetValue.from(lo), h = SetValue.from(hi)
        return l == h ? .single(l) : .interval(l, h)
    }
}

extension SetValue {
    static func from(_ a: IPAddress) -> SetValue {
        switch a {
        case .v4(let x): .ipv4(x)
        case .v6(let x): .ipv6(x)
        }
    }
}
