import Testing
import TandemAddress
@testable import TandemRuleset

private let v4 = IPAddress("192.0.2.10")!
private let v6 = IPAddress("2001:db8::1")!

@Suite struct RenderMatchTests {
    static let cases: [(Match, String)] = [
        (.iifname(.name("eth0")), #"iifname "eth0""#),
        (.iifname(.name("eth0"), negated: true), #"iifname != "eth0""#),
        (.iifname(.anonymousSet(["eth0", "eth1"])), #"iifname { "eth0", "eth1" }"#),
        (.oifname(.namedSet("wan_ifs")), "oifname @wan_ifs"),
        (.oifname(.name("eth1"), negated: true), #"oifname != "eth1""#),
        (.nfproto(.ipv4), "meta nfproto ipv4"),
        (.nfproto(.ipv6), "meta nfproto ipv6"),
        (.l4proto([6]), "meta l4proto tcp"),
        (.l4proto([6, 17]), "meta l4proto { tcp, udp }"),
        (.l4proto([112]), "meta l4proto vrrp"),
        (.l4proto([103]), "meta l4proto 103"),
        (.l4proto([58], negated: true), "meta l4proto != ipv6-icmp"),
        (.address(.source, .ipv4, .address(v4)), "ip saddr 192.0.2.10"),
        (.address(.destination, .ipv6, .address(v6)), "ip6 daddr 2001:db8::1"),
        (.address(.source, .ipv4, .prefix(IPNetwork("192.0.2.77/24")!)), "ip saddr 192.0.2.0/24"),
        (.address(.source, .ipv4, .prefix(IPNetwork("192.0.2.77/32")!)), "ip saddr 192.0.2.77"),
        (.address(.destination, .ipv4, .range(IPAddress("192.0.2.1")!, IPAddress("192.0.2.9")!), negated: true),
         "ip daddr != 192.0.2.1-192.0.2.9"),
        (.address(.source, .ipv4, .anonymousSet([.single(.ipv4(IPv4Address(192, 0, 2, 1))),
                                                 .interval(.ipv4(IPv4Address(198, 51, 100, 0)), .ipv4(IPv4Address(198, 51, 100, 255)))])),
         "ip saddr { 192.0.2.1, 198.51.100.0/24 }"),
        (.address(.destination, .ipv6, .namedSet("alias_v6"), negated: true), "ip6 daddr != @alias_v6"),
        (.port(.destination, .port(22)), "th dport 22"),
        (.port(.source, .range(1000, 2000)), "th sport 1000-2000"),
        (.port(.destination, .range(80, 80)), "th dport 80"),
        (.port(.destination, .anonymousSet([.single(.port(80)), .single(.port(443))])), "th dport { 80, 443 }"),
        (.port(.destination, .namedSet("web_ports"), negated: true), "th dport != @web_ports"),
        (.icmpType(.ipv4, [8]), "icmp type echo-request"),
        (.icmpType(.ipv4, [8, 0, 200]), "icmp type { echo-request, echo-reply, 200 }"),
        (.icmpType(.ipv6, [135, 136]), "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert }"),
        (.ctState([.related, .established]), "ct state established,related"),
        (.ctState([.invalid]), "ct state invalid"),
        (.ctStatus([.dnat]), "ct status dnat"),
        (.ctMark(0x10), "ct mark 0x10"),
        (.ctMark(0x10, mask: 0xff), "ct mark and 0xff == 0x10"),
        (.metaMark(1), "meta mark 0x1"),
        (.fibDaddrLocal(), "fib daddr type local"),
        (.fibDaddrLocal(negated: true), "fib daddr type != local"),
    ]

    @Test(arguments: cases)
    func rendersMatch(_ match: Match, _ expected: String) {
        #expect(match.render() == expected)
    }
}
