import TandemAddress
import TandemRuleset

/// Hand-built IR covering every Match and Statement case, with the nft text a person
/// would write for it. Kernel tests commit the IR through netlink in one namespace and
/// load the text with `nft -f` in another, then compare `nft list table`.
enum NftFixtures {
    static func v4(_ s: String) -> IPAddress { IPAddress(s)! }
    static func net(_ s: String) -> IPNetwork { IPNetwork(s)! }
    static func a4(_ s: String) -> SetValue { .ipv4(IPv4Address(s)!) }
    static func a6(_ s: String) -> SetValue { .ipv6(IPv6Address(s)!) }

    static func rule(_ m: [Match], _ s: [Statement] = [.verdict(.accept)], comment: String? = nil,
                     origin: String? = nil) -> Rule {
        Rule(matches: m, statements: s, comment: comment, origin: origin.map { RuleOrigin(path: $0) })
    }

    static let sets: [NamedSet] = [
        NamedSet(name: "lan_hosts", keyType: .ipv4Address, flags: .interval, elements: [
            .interval(a4("192.0.2.0"), a4("192.0.2.255")), .single(a4("198.51.100.7")),
            .interval(a4("203.0.113.10"), a4("203.0.113.20")),
        ], comment: "alias lan_hosts"),
        NamedSet(name: "v6_nets", keyType: .ipv6Address, flags: .interval, elements: [
            .interval(a6("2001:db8::"), a6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")),
        ]),
        NamedSet(name: "web_ports", keyType: .inetService, flags: .interval, elements: [
            .single(.port(22)), .interval(.port(80), .port(90)),
        ]),
        NamedSet(name: "plain_hosts", keyType: .ipv4Address, elements: [.single(a4("192.0.2.1")), .single(a4("192.0.2.2"))]),
        NamedSet(name: "wan_ifs", keyType: .ifname, elements: [.single(.ifname("eth0")), .single(.ifname("eth1"))]),
        NamedSet(name: "protos", keyType: .inetProto, elements: [.single(.proto(6)), .single(.proto(17))]),
        NamedSet(name: "marks", keyType: .mark, elements: [.single(.mark(1)), .single(.mark(2))]),
        NamedSet(name: "fixed", keyType: .ipv4Address, flags: .constant, elements: [.single(a4("192.0.2.1"))]),
        NamedSet(name: "dispatch", keyType: .ifname, dataType: .verdict, elements: [
            .mapping(.ifname("eth0"), .jump("if_lan")), .mapping(.ifname("eth1"), .goto("if_lan")),
            .mapping(.ifname("lo"), .accept),
        ]),
    ]

    static let filterRules: [Rule] = [
        rule([.iifname(.name("eth0"))]),
        rule([.iifname(.name("eth0"), negated: true)]),
        rule([.oifname(.anonymousSet(["eth0", "eth1"]))]),
        rule([.iifname(.anonymousSet(["eth0", "eth1"]), negated: true)]),
        rule([.iifname(.namedSet("wan_ifs"))]),
        rule([.iifname(.name("eth*"))]),
        rule([.iifname(.anonymousSet(["eth3"]))]),
        rule([.nfproto(.ipv4)]),
        rule([.l4proto([6])]),
        rule([.l4proto([6, 17])]),
        rule([.l4proto([6], negated: true)]),
        rule([.l4proto([6, 17], negated: true)]),
        rule([.address(.source, .ipv4, .address(v4("192.0.2.1")))]),
        rule([.address(.source, .ipv4, .address(v4("192.0.2.1")), negated: true)]),
        rule([.address(.destination, .ipv4, .prefix(net("192.0.2.0/24")))]),
        rule([.address(.destination, .ipv4, .prefix(net("192.0.2.0/25")))]),
        rule([.address(.destination, .ipv4, .prefix(net("192.0.2.0/23")), negated: true)]),
        rule([.address(.destination, .ipv4, .prefix(net("192.0.2.0/24")), negated: true)]),
        rule([.address(.source, .ipv4, .range(v4("192.0.2.10"), v4("192.0.2.20")))]),
        rule([.address(.source, .ipv4, .range(v4("192.0.2.10"), v4("192.0.2.20")), negated: true)]),
        rule([.address(.source, .ipv4, .anonymousSet([
            .single(a4("192.0.2.1")), .interval(a4("198.51.100.0"), a4("198.51.100.255")),
            .interval(a4("203.0.113.1"), a4("203.0.113.5")),
        ]))]),
        rule([.address(.source, .ipv4, .anonymousSet([.single(a4("192.0.2.1")), .single(a4("192.0.2.9"))]))]),
        rule([.address(.source, .ipv4, .anonymousSet([.single(a4("192.0.2.1"))]), negated: true)]),
        rule([.address(.source, .ipv4, .namedSet("lan_hosts"))]),
        rule([.address(.source, .ipv4, .namedSet("lan_hosts"), negated: true)]),
        rule([.address(.destination, .ipv6, .address(IPAddress("2001:db8::1")!))]),
        rule([.address(.destination, .ipv6, .prefix(net("2001:db8::/32")))]),
        rule([.address(.destination, .ipv6, .prefix(net("2001:db8::/33")))]),
        rule([.address(.destination, .ipv6, .namedSet("v6_nets"))]),
        rule([.address(.source, .ipv6, .anonymousSet([
            .single(a6("2001:db8::1")), .interval(a6("2001:db8:1::"), a6("2001:db8:1:0:ffff:ffff:ffff:ffff")),
        ]))]),
        rule([.nfproto(.ipv4), .address(.source, .ipv4, .address(v4("192.0.2.1"))),
              .address(.destination, .ipv4, .prefix(net("198.51.100.0/24")))]),
        rule([.l4proto([6]), .port(.destination, .port(22))]),
        rule([.l4proto([6]), .port(.source, .port(22), negated: true)]),
        rule([.l4proto([6]), .port(.destination, .range(1000, 2000))]),
        rule([.l4proto([6]), .port(.destination, .range(1000, 2000), negated: true)]),
        rule([.l4proto([6]), .port(.destination, .anonymousSet([.single(.port(22)), .interval(.port(80), .port(90))]))]),
        rule([.l4proto([6]), .port(.destination, .namedSet("web_ports"))]),
        rule([.l4proto([6]), .port(.destination, .namedSet("web_ports"), negated: true)]),
        rule([.l4proto([17]), .port(.destination, .port(53)), .port(.source, .port(1053))]),
        rule([.l4proto([6, 17]), .port(.destination, .port(53))]),
        rule([.icmpType(.ipv4, [8, 0])]),
        rule([.icmpType(.ipv4, [8])]),
        rule([.icmpType(.ipv6, [128, 135])]),
        rule([.ctState([.established, .related])]),
        rule([.ctState([.invalid])], [.verdict(.drop)]),
        rule([.ctState([.new, .untracked])]),
        rule([.ctStatus([.dnat])]),
        rule([.ctStatus([.snat, .dnat])]),
        rule([.ctMark(0x10)]),
        rule([.ctMark(0x10, mask: 0xff)]),
        rule([.metaMark(0x10)]),
        rule([.metaMark(0x10, mask: 0xff)]),
        rule([.fibDaddrLocal()]),
        rule([.fibDaddrLocal(negated: true)]),
        rule([], [.counter]),
        rule([], [.log(prefix: "x ", level: .warn)]),
        rule([], [.log(prefix: "g ", group: 1)]),
        rule([], [.log(prefix: "y ")]),
        rule([], [.counter, .log(prefix: "block ", group: 2), .verdict(.drop)], comment: "default deny"),
        rule([.l4proto([6])], [.reject(.tcpReset)]),
        rule([], [.reject(.tcpReset)]),
        rule([], [.reject(.icmpxPortUnreachable)]),
        rule([], [.reject(.icmpxAdminProhibited)]),
        rule([], [.reject(.default)]),
        rule([], [.vmap(key: .iifname, map: "dispatch")]),
        rule([], [.vmap(key: .oifname, map: "dispatch")]),
        rule([], [.ctMarkSet(5)]),
        rule([], [.ctMarkSetBits(0x8000_0000)]),
        rule([], [.metaMarkSet(7)]),
        rule([], [.verdict(.jump("if_lan"))]),
        rule([], [.verdict(.goto("if_lan"))]),
        rule([], [.verdict(.return)]),
        rule([], [.verdict(.continue)]),
        rule([.address(.source, .ipv4, .namedSet("plain_hosts")), .metaMark(3)], [.verdict(.drop)],
             comment: "hello there"),
    ]

    static let filterText = """
        iifname "eth0" accept
        iifname != "eth0" accept
        oifname { "eth0", "eth1" } accept
        iifname != { "eth0", "eth1" } accept
        iifname @wan_ifs accept
        iifname "eth*" accept
        iifname { "eth3" } accept
        meta nfproto ipv4 accept
        meta l4proto 6 accept
        meta l4proto { 6, 17 } accept
        meta l4proto != 6 accept
        meta l4proto != { 6, 17 } accept
        ip saddr 192.0.2.1 accept
        ip saddr != 192.0.2.1 accept
        ip daddr 192.0.2.0/24 accept
        ip daddr 192.0.2.0/25 accept
        ip daddr != 192.0.2.0/23 accept
        ip daddr != 192.0.2.0/24 accept
        ip saddr 192.0.2.10-192.0.2.20 accept
        ip saddr != 192.0.2.10-192.0.2.20 accept
        ip saddr { 192.0.2.1, 198.51.100.0/24, 203.0.113.1-203.0.113.5 } accept
        ip saddr { 192.0.2.1, 192.0.2.9 } accept
        ip saddr != { 192.0.2.1 } accept
        ip saddr @lan_hosts accept
        ip saddr != @lan_hosts accept
        ip6 daddr 2001:db8::1 accept
        ip6 daddr 2001:db8::/32 accept
        ip6 daddr 2001:db8::/33 accept
        ip6 daddr @v6_nets accept
        ip6 saddr { 2001:db8::1, 2001:db8:1::/64 } accept
        meta nfproto ipv4 ip saddr 192.0.2.1 ip daddr 198.51.100.0/24 accept
        meta l4proto 6 th dport 22 accept
        meta l4proto 6 th sport != 22 accept
        meta l4proto 6 th dport 1000-2000 accept
        meta l4proto 6 th dport != 1000-2000 accept
        meta l4proto 6 th dport { 22, 80-90 } accept
        meta l4proto 6 th dport @web_ports accept
        meta l4proto 6 th dport != @web_ports accept
        meta l4proto 17 th dport 53 th sport 1053 accept
        meta l4proto { 6, 17 } th dport 53 accept
        icmp type { echo-request, echo-reply } accept
        icmp type echo-request accept
        icmpv6 type { 128, 135 } accept
        ct state established,related accept
        ct state invalid drop
        ct state new,untracked accept
        ct status dnat accept
        ct status snat,dnat accept
        ct mark 0x10 accept
        ct mark and 0xff == 0x10 accept
        meta mark 0x10 accept
        meta mark and 0xff == 0x10 accept
        fib daddr type local accept
        fib daddr type != local accept
        counter
        log prefix "x " level warn
        log prefix "g " group 1
        log prefix "y "
        counter log prefix "block " group 2 drop comment "default deny"
        meta l4proto 6 reject with tcp reset
        reject with tcp reset
        reject with icmpx type port-unreachable
        reject with icmpx type admin-prohibited
        reject
        iifname vmap @dispatch
        oifname vmap @dispatch
        ct mark set 0x5
        ct mark set ct mark | 0x80000000
        meta mark set 0x7
        jump if_lan
        goto if_lan
        return
        continue
        ip saddr @plain_hosts meta mark 3 drop comment "hello there"
    """

    static let natRules: [Rule] = [
        rule([], [.dnat(NATTarget(family: .ipv4, address: .address(v4("192.0.2.5"))))]),
        rule([.l4proto([6])], [.dnat(NATTarget(family: .ipv4, address: .address(v4("192.0.2.5")), ports: 8080...8080))]),
        rule([.l4proto([6])], [.dnat(NATTarget(family: .ipv4, address: .address(v4("192.0.2.5")), ports: 8080...8090))]),
        rule([.l4proto([6])], [.dnat(NATTarget(family: .ipv6, address: .address(IPAddress("2001:db8::5")!), ports: 80...80))]),
        rule([], [.dnat(NATTarget(family: .ipv4, address: .range(v4("192.0.2.5"), v4("192.0.2.9"))))]),
        rule([], [.dnat(NATTarget(family: .ipv4, address: .prefix(net("192.0.2.0/30"))))]),
        rule([.l4proto([6])], [.dnat(NATTarget(family: .ipv4, address: .range(v4("192.0.2.5"), v4("192.0.2.9")), ports: 80...90))]),
    ]

    static let natText = """
        dnat ip to 192.0.2.5
        meta l4proto 6 dnat ip to 192.0.2.5:8080
        meta l4proto 6 dnat ip to 192.0.2.5:8080-8090
        meta l4proto 6 dnat ip6 to [2001:db8::5]:80
        dnat ip to 192.0.2.5-192.0.2.9
        dnat ip to 192.0.2.0/30
        meta l4proto 6 dnat ip to 192.0.2.5-192.0.2.9:80-90
    """

    static let snatRules: [Rule] = [
        rule([.oifname(.name("eth1"))], [.snat(NATTarget(family: .ipv4, address: .address(v4("198.51.100.1"))))],
             origin: "nat/outbound/rule[1]"),
        rule([.l4proto([6])], [.snat(NATTarget(family: .ipv4, address: .address(v4("198.51.100.1")), ports: 1024...65535,
                                               flags: [.random, .persistent]))]),
        rule([], [.snat(NATTarget(family: .ipv4, address: .address(v4("198.51.100.1")), flags: .fullyRandom))]),
        rule([], [.masquerade(ports: nil, flags: [])]),
        rule([.l4proto([6])], [.masquerade(ports: 1024...65535, flags: .random)]),
        rule([.l4proto([6])], [.masquerade(ports: 1024...1024, flags: [])]),
        rule([], [.masquerade(ports: nil, flags: .persistent)]),
    ]

    static let snatText = """
        oifname "eth1" snat ip to 198.51.100.1
        meta l4proto 6 snat ip to 198.51.100.1:1024-65535 random,persistent
        snat ip to 198.51.100.1 fully-random
        masquerade
        meta l4proto 6 masquerade to :1024-65535 random
        meta l4proto 6 masquerade to :1024
        masquerade persistent
    """

    static var coverage: Ruleset {
        Ruleset(tables: [Table(family: .inet, name: "tandem", sets: sets, chains: [
            Chain(name: "if_lan", rules: [rule([.l4proto([6]), .port(.destination, .port(443))])], comment: "LAN rules"),
            Chain(name: "input", base: BaseChain(type: .filter, hook: .input, priority: 0, policy: .drop), rules: filterRules),
            Chain(name: "raw_pre", base: BaseChain(type: .filter, hook: .prerouting, priority: -300),
                  rules: [rule([.l4proto([112])], [.notrack])]),
            Chain(name: "dstnat", base: BaseChain(type: .nat, hook: .prerouting, priority: -100), rules: natRules),
            Chain(name: "srcnat", base: BaseChain(type: .nat, hook: .postrouting, priority: 100), rules: snatRules),
        ])])
    }

    static var coverageText: String {
        """
        table inet tandem {
          set lan_hosts { type ipv4_addr; flags interval; comment "alias lan_hosts"; elements = { 192.0.2.0/24, 198.51.100.7, 203.0.113.10-203.0.113.20 } }
          set v6_nets { type ipv6_addr; flags interval; elements = { 2001:db8::/32 } }
          set web_ports { type inet_service; flags interval; elements = { 22, 80-90 } }
          set plain_hosts { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }
          set wan_ifs { type ifname; elements = { "eth0", "eth1" } }
          set protos { type inet_proto; elements = { 6, 17 } }
          set marks { type mark; elements = { 1, 2 } }
          set fixed { type ipv4_addr; flags constant; elements = { 192.0.2.1 } }
          map dispatch { type ifname : verdict; elements = { "eth0" : jump if_lan, "eth1" : goto if_lan, "lo" : accept } }
          chain if_lan {
            comment "LAN rules"
            meta l4proto 6 th dport 443 accept
          }
          chain input {
            type filter hook input priority 0; policy drop;
        \(filterText)
          }
          chain raw_pre {
            type filter hook prerouting priority -300; policy accept;
            meta l4proto 112 notrack
          }
          chain dstnat {
            type nat hook prerouting priority -100; policy accept;
        \(natText)
          }
          chain srcnat {
            type nat hook postrouting priority 100; policy accept;
        \(snatText)
          }
        }

        """
    }
}
