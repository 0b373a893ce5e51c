import Testing
import TandemAddress

@Suite struct IPNetworkTests {
    /// Substrings parse as Strings do, prefix length included.
    @Test(arguments: [("x192.0.2.1/24", 24), ("x2001:db8::/32", 32), ("x192.0.2.1/0", 0), ("x198.51.100.1", 32)])
    func parsesSubstrings(text: String, length: Int) throws {
        let n = try #require(IPNetwork(text.dropFirst()))
        #expect(n.prefixLength == length)
    }

    @Test(arguments: [
        ("192.0.2.1/24", "192.0.2.0", "192.0.2.255"),
        ("198.51.100.7/30", "198.51.100.4", "198.51.100.7"),
        ("203.0.113.9", "203.0.113.9", "203.0.113.9"),
        ("0.0.0.0/0", "0.0.0.0", "255.255.255.255"),
        ("2001:db8::1/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff"),
        ("2001:db8:0:1::/65", "2001:db8:0:1::", "2001:db8:0:1:7fff:ffff:ffff:ffff"),
    ])
    func networkAndLast(text: String, first: String, last: String) throws {
        let n = try #require(IPNetwork(text))
        #expect(n.network.description == first)
        #expect(n.last.description == last)
    }

    @Test(arguments: ["", "192.0.2.1/33", "192.0.2.1/", "192.0.2.1/-1", "192.0.2", "2001:db8::/129",
                      "01.2.3.4", "192.0.2.1/24/1", "lan", "192.0.2.1/ 24", "/24", "192.0.2.1/0024",
                      "192.0.2.1/２４", "192.0.2.1/24 ", " 192.0.2.1"])
    func rejectsMalformed(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test func containsOnlySameFamily() throws {
        let n = try #require(IPNetwork("192.0.2.0/24"))
        #expect(n.contains(IPAddress("192.0.2.200")!))
        #expect(!n.contains(IPAddress("198.51.100.1")!))
        #expect(!n.contains(IPAddress("2001:db8::1")!))
    }

    @Test func addressBytesRoundTrip() throws {
        let v6 = try #require(IPv6Address("2001:db8::12"))
        #expect(IPv6Address(bytes: v6.bytes) == v6)
        #expect(v6.description == "2001:db8::12")
        let v4 = try #require(IPv4Address("198.51.100.1"))
        #expect(v4.bytes == [198, 51, 100, 1])
        #expect(IPv4Address(bytes: v4.bytes) == v4)
    }
}
