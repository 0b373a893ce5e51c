/// Rule protocol names → IP protocol numbers (IANA "Assigned Internet Protocol Numbers",
/// the names of /etc/protocols): pfSense's protocol list
/// (`pfsense/pfsense:src/usr/local/www/firewall_rules_edit.php`: TCP, UDP, TCP/UDP, ICMP,
/// ESP, AH, GRE, EtherIP, IPV6, IGMP, PIM, OSPF, SCTP, CARP, PFSYNC) and the other names
/// OPNsense offers that Tandem can match. A name outside this table cannot be translated,
/// and the validator refuses it: skipping the rule instead would make a block rule pass
/// what it was written to stop.
extension RuleProtocol {
    public static let numbersByName: [String: UInt8] = [
        "icmp": 1, "igmp": 2, "ggp": 3, "ipencap": 4, "tcp": 6, "egp": 8, "udp": 17, "ipv6": 41,
        "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "ipv6-icmp": 58, "icmp6": 58, "eigrp": 88, "ospf": 89,
        "ipip": 94, "etherip": 97, "pim": 103, "ipcomp": 108, "carp": 112, "vrrp": 112, "l2tp": 115,
        "sctp": 132, "udplite": 136, "pfsync": 240,
    ]

    /// The IP protocol numbers this protocol stands for; nil when Tandem does not know it.
    public var numbers: [UInt8]? {
        switch self {
        case .tcp: [6]
        case .udp: [17]
        case .tcpUDP: [6, 17]
        case .icmp: [1]
        case .icmpv6: [58]
        case .named(let name): (Self.numbersByName[name] ?? UInt8(name)).map { [$0] }
        }
    }
}
