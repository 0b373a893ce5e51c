import Testing
import TandemAddress
@testable import TandemRuleset

private func v4(_ s: String) -> SetValue {
    .ipv4({ if case .v4(let a) = IPAddress(s)! { return a }; fatalError() }())
}
private func v6(_ s: String) -> SetValue {
    .ipv6({ if case .v6(let a) = IPAddress(s)! { return a }; fatalError() }())
}

@Suite struct SetValueIntervalTests {
    @Test func mergesAdjacentAndOverlapping() {
        let merged = SetElement.mergedIntervals([
            .interval(v4("192.0.2.128"), v4("192.0.2.255")),
            .interval(v4("192.0.2.0"), v4("192.0.2.127")),
            .single(v4("192.0.2.5")),
            .single(v4("198.51.100.7")),
            .single(v4("198.51.100.7")),
            .interval(v4("203.0.113.10"), v4("203.0.113.20")),
            .interval(v4("203.0.113.15"), v4("203.0.113.30")),
        ])
        #expect(merged == [
            .interval(v4("192.0.2.0"), v4("192.0.2.255")),
            .single(v4("198.51.100.7")),
            .interval(v4("203.0.113.10"), v4("203.0.113.30")),
        ])
    }

    @Test func keepsFamiliesApartAndHandlesTheTop() {
        let merged = SetElement.mergedIntervals([
            .interval(v4("255.255.255.0"), v4("255.255.255.255")),
            .single(v4("255.255.255.255")),
            .single(v6("::")),
            .interval(v6("2001:db8::"), v6("2001:db8::ffff")),
        ])
        #expect(merged == [
            .interval(v4("255.255.255.0"), v4("255.255.255.255")),
            .single(v6("::")),
            .interval(v6("2001:db8::"), v6("2001:db8::ffff")),
        ])
    }

    @Test func mergesPorts() {
        let merged = SetElement.mergedIntervals([.single(.port(22)), .interval(.port(20), .port(21)),
                                                  .single(.port(443)), .single(.port(80))])
        #expect(merged == [.interval(.port(20), .port(22)), .single(.port(80)), .single(.port(443))])
    }

    @Test(arguments: [
        ("192.0.2.0", "192.0.2.255", "192.0.2.0/24"),
        ("192.0.2.0", "192.0.2.254", "192.0.2.0-192.0.2.254"),
        ("192.0.2.1", "192.0.2.2", "192.0.2.1-192.0.2.2"),
        ("0.0.0.0", "255.255.255.255", "0.0.0.0/0"),
    ])
    func printsPrefixesAsPrefixes(_ lo: String, _ hi: String, _ expected: String) {
        #expect(RenderText.element(.interval(v4(lo), v4(hi))) == expected)
    }

    @Test func printsV6Prefixes() {
        #expect(RenderText.element(.interval(v6("2001:db8::"), v6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))) == "2001:db8::/32")
        #expect(RenderText.element(.interval(v6("::"), v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))) == "::/0")
    }
}
