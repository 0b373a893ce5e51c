import Testing
import TandemAddress
@testable import TandemRuleset

@Suite struct RenderStatementTests {
    static let cases: [(Statement, String)] = [
        (.counter, "counter"),
        (.log(prefix: "tandem:42: "), #"log prefix "tandem:42: ""#),
        (.log(prefix: "x", level: .warn), #"log prefix "x" level warn"#),
        (.log(prefix: "x", group: 1), #"log prefix "x" group 1"#),
        (.log(prefix: #"say "hi""#), #"log prefix "say 'hi'""#),
        (.verdict(.accept), "accept"),
        (.verdict(.drop), "drop"),
        (.verdict(.continue), "continue"),
        (.verdict(.return), "return"),
        (.verdict(.jump("if_lan")), "jump if_lan"),
        (.verdict(.goto("if_wan")), "goto if_wan"),
        (.reject(.tcpReset), "reject with tcp reset"),
        (.reject(.icmpxPortUnreachable), "reject with icmpx port-unreachable"),
        (.reject(.icmpxAdminProhibited), "reject with icmpx admin-prohibited"),
        (.reject(.default), "reject"),
        (.vmap(key: .iifname, map: "input_ifs"), "iifname vmap @input_ifs"),
        (.vmap(key: .oifname, map: "out_ifs"), "oifname vmap @out_ifs"),
        (.snat(NATTarget(family: .ipv4, address: .address(IPAddress("198.51.100.1")!), ports: 1024...65535)),
         "snat ip to 198.51.100.1:1024-65535"),
        (.snat(NATTarget(family: .ipv4, address: .prefix(IPNetwork("198.51.100.8/30")!), flags: [.random, .persistent])),
         "snat ip to 198.51.100.8-198.51.100.11 random,persistent"),
        (.snat(NATTarget(family: .ipv4, address: .range(IPAddress("198.51.100.1")!, IPAddress("198.51.100.4")!))),
         "snat ip to 198.51.100.1-198.51.100.4"),
        (.snat(NATTarget(family: .ipv6, address: .address(IPAddress("2001:db8::1")!), ports: 1024...65535, flags: .fullyRandom)),
         "snat ip6 to [2001:db8::1]:1024-65535 fully-random"),
        (.dnat(NATTarget(family: .ipv4, address: .address(IPAddress("192.0.2.10")!), ports: 8080...8080)),
         "dnat ip to 192.0.2.10:8080"),
        (.dnat(NATTarget(family: .ipv6, address: .address(IPAddress("2001:db8::10")!))), "dnat ip6 to 2001:db8::10"),
        (.masquerade(ports: nil, flags: []), "masquerade"),
        (.masquerade(ports: 1024...65535, flags: .random), "masquerade to :1024-65535 random"),
        (.notrack, "notrack"),
        (.ctMarkSet(0x2), "ct mark set 0x2"),
        (.ctMarkSetBits(0x8000_0000), "ct mark set ct mark | 0x80000000"),
        (.metaMarkSet(0xff), "meta mark set 0xff"),
    ]

    @Test(arguments: cases)
    func rendersStatement(_ statement: Statement, _ expected: String) {
        #expect(statement.render() == expected)
    }
}
