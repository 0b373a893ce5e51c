import Testing
import TandemAddress
@testable import TandemCARP

/// Digests computed independently with Python's `hmac`/`hashlib` over the byte layout in
/// BSD's `carp_hmac_prepare`, pasted here with their inputs.
@Suite struct CarpHMACTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var password: String
        var vhid: UInt8
        var addresses: [String]
        var counter: UInt64
        var digest: String
        var testDescription: String { "vhid \(vhid), \(addresses.count) address(es)" }
    }

    static let vectors: [Vector] = [
        Vector(password: "123456", vhid: 90, addresses: ["198.51.100.1"], counter: 0x0123_4567_89ab_cdef,
               digest: "cc344462381c96e7ad81a5f928b0005be085b252"),
        // Unsorted input, both families, a link-local, spaces in the password (pfSense strips them).
        Vector(password: "secret pass word", vhid: 1,
               addresses: ["192.0.2.1", "198.51.100.7", "192.0.2.200", "2001:db8::2", "fe80::1", "2001:db8::1"],
               counter: 42, digest: "d3f5266e6893672d0b3d5c185cbcec9918db73e0"),
        // 26-byte password: only the first 19 bytes reach the key.
        Vector(password: "abcdefghijklmnopqrstuvwxyz", vhid: 255, addresses: ["203.0.113.9"], counter: .max,
               digest: "bf6907caced4973afca72e2c3c7be722793d201d"),
        Vector(password: "opnsense", vhid: 3, addresses: ["2001:db8:1::1", "fe80::5"], counter: 7,
               digest: "b5452210861881a2ec86f627e6468acf0a659dcd"),
    ]

    @Test(arguments: vectors)
    func matchesIndependentDigest(_ v: Vector) {
        let digest = CarpHMAC.digest(key: CarpKey(password: v.password), vhid: v.vhid,
                                     addresses: v.addresses.map { IPAddress($0)! }, counter: v.counter)
        #expect(hex(digest) == v.digest)
    }

    @Test func addressOrderAndDuplicatesDoNotMatter() {
        let key = CarpKey(password: "k")
        let a = ["192.0.2.10", "192.0.2.9", "2001:db8::1"].map { IPAddress($0)! }
        let b = ["2001:db8::1", "192.0.2.9", "192.0.2.10", "192.0.2.9"].map { IPAddress($0)! }
        #expect(CarpHMAC.digest(key: key, vhid: 5, addresses: a, counter: 1)
                == CarpHMAC.digest(key: key, vhid: 5, addresses: b, counter: 1))
    }

    /// Numeric order, not text order: 192.0.2.9 sorts before 192.0.2.10.
    @Test func ipv4SortsNumerically() {
        let message = CarpHMAC.message(vhid: 1, addresses: ["192.0.2.10", "192.0.2.9"].map { IPAddress($0)! }, counter: 0)
        #expect(Array(message[3..<11]) == [192, 0, 2, 9, 192, 0, 2, 10])
        #expect(message.count == 3 + 8 + 8)
    }

    @Test func messageLayout() {
        let message = CarpHMAC.message(vhid: 7, addresses: [IPAddress("2001:db8::1")!, IPAddress("192.0.2.1")!],
                                       counter: 0x0102_0304_0506_0708)
        #expect(message == [2, 1, 7, 192, 0, 2, 1]
                + IPv6Address("2001:db8::1")!.bytes + [1, 2, 3, 4, 5, 6, 7, 8])
    }

    /// OpenBSD signs without IPv6 link-locals (HMAC_NOV6LL); that digest is accepted too.
    @Test func acceptsOpenBSDDigestWithoutLinkLocals() {
        let key = CarpKey(password: "opnsense")
        let addresses = ["2001:db8:1::1", "fe80::5"].map { IPAddress($0)! }
        let ad = CarpAdvertisement(vhid: 3, advbase: 1, advskew: 0, counter: 7,
                                   digest: hex("74e49bc72f62cfb3ab36c34f35e3bf9fdc903ff0"))
        #expect(CarpHMAC.verify(ad, key: key, addresses: addresses))
        #expect(!CarpHMAC.verify(ad, key: CarpKey(password: "other"), addresses: addresses))
    }

    @Test func verifyRejectsAnyChangeToCoveredInput() {
        let key = CarpKey(password: "123456")
        let addresses = [IPAddress("198.51.100.1")!]
        let good = CarpAdvertisement.signed(vhid: 90, advbase: 1, advskew: 0, counter: 9, key: key, addresses: addresses)
        #expect(CarpHMAC.verify(good, key: key, addresses: addresses))
        var otherCounter = good
        otherCounter.counter += 1
        #expect(!CarpHMAC.verify(otherCounter, key: key, addresses: addresses))
        var otherVHID = good
        otherVHID.vhid = 91
        #expect(!CarpHMAC.verify(otherVHID, key: key, addresses: addresses))
        #expect(!CarpHMAC.verify(good, key: key, addresses: [IPAddress("198.51.100.2")!]))
        // advskew is not covered (BSD hashes only version, type, vhid, addresses, counter).
        var otherSkew = good
        otherSkew.advskew = 200
        #expect(CarpHMAC.verify(otherSkew, key: key, addresses: addresses))
    }

    @Test func constantTimeEqual() {
        #expect(CarpHMAC.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!CarpHMAC.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!CarpHMAC.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test(arguments: [
        ("123456", "123456", false),
        ("a b c", "abc", false),
        ("abcdefghijklmnopqrs", "abcdefghijklmnopqrs", false),
        ("abcdefghijklmnopqrst", "abcdefghijklmnopqrs", true),
        ("", "", false),
    ])
    func keyFromPassword(password: String, used: String, truncated: Bool) {
        let key = CarpKey(password: password)
        #expect(key.bytes.count == 20)
        #expect(Array(key.bytes.prefix(used.utf8.count)) == Array(used.utf8))
        #expect(key.bytes.dropFirst(used.utf8.count).allSatisfy { $0 == 0 })
        #expect(key.wasTruncated == truncated)
    }
}
