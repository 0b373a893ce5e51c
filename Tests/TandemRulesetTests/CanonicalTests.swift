import Testing
import TandemAddress
@testable import TandemRuleset

@Suite struct CanonicalTests {
    @Test func quotesBecomeApostrophesAndControlsSpaces() {
        #expect(Canonical.comment("a \"b\"\n\\c\t") == "a 'b' \\c ")
    }

    @Test func commentCutAt128BytesOnACharacterBoundary() {
        let text = String(repeating: "a", count: 127) + "é" + "zzz"  // é is 2 bytes: 129 > 128
        let cut = Canonical.comment(text)
        #expect(cut == String(repeating: "a", count: 127))
        #expect(cut.utf8.count <= 128)
        #expect(Canonical.comment(String(repeating: "b", count: 128)).utf8.count == 128)
    }

    @Test func logPrefixCutAt127Bytes() {
        let cut = Canonical.logPrefix(String(repeating: "€", count: 60))  // 3 bytes each
        #expect(cut.utf8.count == 126)
    }

    @Test func addsNfprotoBeforeAddressAndIcmp() {
        let rule = Rule(matches: [.address(.source, .ipv4, .address(IPAddress("192.0.2.1")!)),
                                  .address(.destination, .ipv4, .address(IPAddress("192.0.2.2")!))],
                        statements: [.verdict(.accept)])
        #expect(rule.render() == "meta nfproto ipv4 ip saddr 192.0.2.1 ip daddr 192.0.2.2 accept")
        let icmp = Rule(matches: [.icmpType(.ipv6, [128])], statements: [.verdict(.accept)])
        #expect(icmp.render() == "meta nfproto ipv6 meta l4proto ipv6-icmp icmpv6 type echo-request accept")
    }

    @Test func keepsExplicitDependenciesAndIsIdempotent() {
        let rule = Rule(matches: [.nfproto(.ipv4), .l4proto([1]), .icmpType(.ipv4, [8])],
                        statements: [.counter, .verdict(.accept)], comment: "x\"y")
        #expect(rule.canonicalized().matches == rule.matches)
        #expect(rule.canonicalized().canonicalized() == rule.canonicalized())
        #expect(rule.render() == #"meta nfproto ipv4 meta l4proto icmp icmp type echo-request counter accept comment "x'y""#)
    }
}
