import Testing
@testable import TandemNetlink
import TandemAddress
import TandemRuleset

/// IR → expression lists, checked against what `nft --debug=netlink` prints for the same
/// rule text in an inet table (nft 1.0.6), as nftables' tests/py payload files do.
@Suite struct NftLinearizerTests {
    typealias F = NftFixtures

    static func linearize(_ matches: [Match], _ statements: [Statement] = [.verdict(.accept)],
                          family: TableFamily = .inet) throws -> NftLinearizedRule {
        var l = NftLinearizer(family: family, table: "tandem", namedSets: ["lan": (.ipv4Address, 7)])
        return try l.linearize(Rule(matches: matches, statements: statements).canonicalized(), place: "test")
    }

    static let accept = NftExpression.immediateVerdict(.accept)
    static let v4dep: [NftExpression] = [.meta(.nfproto), .cmp(.eq, data: [2])]
    static let v6dep: [NftExpression] = [.meta(.nfproto), .cmp(.eq, data: [10])]
    static let tcp: [NftExpression] = [.meta(.l4proto), .cmp(.eq, data: [6])]

    @Test(arguments: [
        // iifname "eth0" accept
        ([.iifname(.name("eth0"))], [.meta(.iifname), .cmp(.eq, data: Array("eth0".utf8) + [UInt8](repeating: 0, count: 12)), accept]),
        // iifname "eth*" accept: prefix bytes only
        ([.iifname(.name("eth*"))], [.meta(.iifname), .cmp(.eq, data: Array("eth".utf8)), accept]),
        // meta l4proto != 6
        ([.l4proto([6], negated: true)], [.meta(.l4proto), .cmp(.neq, data: [6]), accept]),
        // ip saddr 192.0.2.1
        ([.address(.source, .ipv4, .address(F.v4("192.0.2.1")))],
         v4dep + [.payload(.network, offset: 12, length: 4), .cmp(.eq, data: [192, 0, 2, 1]), accept]),
        // ip daddr 192.0.2.0/24: a 3-byte load
        ([.address(.destination, .ipv4, .prefix(F.net("192.0.2.0/24")))],
         v4dep + [.payload(.network, offset: 16, length: 3), .cmp(.eq, data: [192, 0, 2]), accept]),
        // ip daddr 192.0.2.0/25: full load + bitwise
        ([.address(.destination, .ipv4, .prefix(F.net("192.0.2.0/25")))],
         v4dep + [.payload(.network, offset: 16, length: 4), .bitwise(mask: [255, 255, 255, 128], xor: [0, 0, 0, 0]),
                  .cmp(.eq, data: [192, 0, 2, 0]), accept]),
        // ip saddr 192.0.2.10-192.0.2.20 and its negation
        ([.address(.source, .ipv4, .range(F.v4("192.0.2.10"), F.v4("192.0.2.20")))],
         v4dep + [.payload(.network, offset: 12, length: 4), .cmp(.gte, data: [192, 0, 2, 10]), .cmp(.lte, data: [192, 0, 2, 20]), accept]),
        ([.address(.source, .ipv4, .range(F.v4("192.0.2.10"), F.v4("192.0.2.20")), negated: true)],
         v4dep + [.payload(.network, offset: 12, length: 4), .range(.neq, from: [192, 0, 2, 10], to: [192, 0, 2, 20]), accept]),
        // ip saddr != @lan: lookup by name and batch id, inverted
        ([.address(.source, .ipv4, .namedSet("lan"), negated: true)],
         v4dep + [.payload(.network, offset: 12, length: 4), .lookup(set: .named("lan", id: 7), invert: true), accept]),
        // ip6 daddr 2001:db8::/32: a 4-byte load at 24
        ([.address(.destination, .ipv6, .prefix(F.net("2001:db8::/32")))],
         v6dep + [.payload(.network, offset: 24, length: 4), .cmp(.eq, data: [0x20, 0x01, 0x0d, 0xb8]), accept]),
        // meta l4proto 6 th dport 1000-2000
        ([.l4proto([6]), .port(.destination, .range(1000, 2000))],
         tcp + [.payload(.transport, offset: 2, length: 2), .cmp(.gte, data: [0x03, 0xe8]), .cmp(.lte, data: [0x07, 0xd0]), accept]),
        // udp dport 53 sport 1053: merged into one 4-byte load, sport first
        ([.l4proto([17]), .port(.destination, .port(53)), .port(.source, .port(1053))],
         [.meta(.l4proto), .cmp(.eq, data: [17]), .payload(.transport, offset: 0, length: 4), .cmp(.eq, data: [0x04, 0x1d, 0x00, 0x35]), accept]),
        // icmp type echo-request: nfproto and l4proto dependencies
        ([.icmpType(.ipv4, [8])], v4dep + [.meta(.l4proto), .cmp(.eq, data: [1]), .payload(.transport, offset: 0, length: 1),
                                          .cmp(.eq, data: [8]), accept]),
        // ct state established,related
        ([.ctState([.established, .related])], [.ct(.state), .bitwise(mask: [6, 0, 0, 0], xor: [0, 0, 0, 0]),
                                               .cmp(.neq, data: [0, 0, 0, 0]), accept]),
        // ct mark and 0xff == 0x10
        ([.ctMark(0x10, mask: 0xff)], [.ct(.mark), .bitwise(mask: [0xff, 0, 0, 0], xor: [0, 0, 0, 0]), .cmp(.eq, data: [0x10, 0, 0, 0]), accept]),
        // fib daddr type local
        ([.fibDaddrLocal()], [.fib(flags: 2, result: 3), .cmp(.eq, data: [2, 0, 0, 0]), accept]),
    ] as [([Match], [NftExpression])])
    func matchesLinearizeLikeNft(_ matches: [Match], _ expected: [NftExpression]) throws {
        let r = try Self.linearize(matches)
        #expect(r.expressions == expected)
        #expect(r.anonymousSets.isEmpty)
    }

    @Test(arguments: [
        ([.reject(.tcpReset)], Self.tcp + [.reject(type: 1, code: 0)]),
        ([.reject(.default)], [.reject(type: 2, code: 1)]),
        ([.reject(.icmpxAdminProhibited)], [.reject(type: 2, code: 3)]),
        ([.vmap(key: .iifname, map: "dispatch")], [.meta(.iifname), .lookup(dreg: 0, set: .named("dispatch", id: nil))]),
        ([.ctMarkSet(5)], [.immediateData(dreg: 1, data: [5, 0, 0, 0]), .ctSet(.mark)]),
        // ct mark set ct mark or 0x80000000
        ([.ctMarkSetBits(0x8000_0000)], [.ct(.mark), .bitwise(mask: [0xff, 0xff, 0xff, 0x7f], xor: [0, 0, 0, 0x80]), .ctSet(.mark)]),
        ([.verdict(.jump("if_lan"))], [.immediateVerdict(.jump, chain: "if_lan")]),
        ([.log(prefix: "x ", level: .warn)], [.log(prefix: "x ", level: 4, group: nil)]),
        ([.counter, .notrack], [.counter, .notrack]),
        // snat ip to 198.51.100.1:1024-65535 random,persistent
        ([.snat(NATTarget(family: .ipv4, address: .address(F.v4("198.51.100.1")), ports: 1024...65535, flags: [.random, .persistent]))],
         [.immediateData(dreg: 1, data: [198, 51, 100, 1]), .immediateData(dreg: 2, data: [4, 0]), .immediateData(dreg: 3, data: [255, 255]),
          .nat(.snat, family: 2, addressMin: 1, addressMax: nil, protoMin: 2, protoMax: 3, flags: 0xe)]),
        // dnat ip to 192.0.2.0/30: the prefix becomes a range
        ([.dnat(NATTarget(family: .ipv4, address: .prefix(F.net("192.0.2.0/30"))))],
         [.immediateData(dreg: 1, data: [192, 0, 2, 0]), .immediateData(dreg: 2, data: [192, 0, 2, 3]),
          .nat(.dnat, family: 2, addressMin: 1, addressMax: 2, protoMin: nil, protoMax: nil, flags: 0)]),
        // masquerade to :1024
        ([.masquerade(ports: 1024...1024, flags: [])], [.immediateData(dreg: 1, data: [4, 0]), .masquerade(flags: 2, protoMin: 1, protoMax: nil)]),
    ] as [([Statement], [NftExpression])])
    func statementsLinearizeLikeNft(_ statements: [Statement], _ expected: [NftExpression]) throws {
        #expect(try Self.linearize([], statements).expressions == expected)
    }

    @Test func inlineSetsBecomeAnonymousSetsAndSingletonsFold() throws {
        let r = try Self.linearize([.address(.source, .ipv4, .anonymousSet([
            .single(F.a4("192.0.2.1")), .interval(F.a4("198.51.100.0"), F.a4("198.51.100.255")),
        ]))])
        #expect(r.anonymousSets.count == 1)
        let set = try #require(r.anonymousSets.first)
        #expect(set.name == "__set%d" && set.flags == 0x7 && set.key == .ipv4Address)
        #expect(set.elements == [
            NftSetElement(key: [0, 0, 0, 0], isIntervalEnd: true),
            NftSetElement(key: [192, 0, 2, 1]), NftSetElement(key: [192, 0, 2, 2], isIntervalEnd: true),
            NftSetElement(key: [198, 51, 100, 0]), NftSetElement(key: [198, 51, 101, 0], isIntervalEnd: true),
        ])
        #expect(r.expressions == Self.v4dep + [.payload(.network, offset: 12, length: 4),
                                               .lookup(set: .anonymous(id: set.id)), Self.accept])
        let folded = try Self.linearize([.iifname(.anonymousSet(["eth3"]), negated: true)])
        #expect(folded.anonymousSets.isEmpty)
        #expect(folded.expressions.first == .meta(.iifname))
    }

    @Test func familyMismatchesAreTypedErrors() {
        #expect(throws: NftLinearizeError.self) {
            try Self.linearize([.address(.source, .ipv6, .address(F.v4("192.0.2.1")))])
        }
        #expect(throws: NftLinearizeError.self) {
            try Self.linearize([.address(.source, .ipv6, .address(IPAddress("2001:db8::1")!))], family: .ip)
        }
        #expect(throws: NftLinearizeError.self) {
            try Self.linearize([], [.snat(NATTarget(family: .ipv4, address: .namedSet("lan")))])
        }
    }
}
