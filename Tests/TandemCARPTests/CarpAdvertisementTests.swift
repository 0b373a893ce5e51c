import Testing
@testable import TandemCARP

@Suite struct CarpAdvertisementTests {
    // Vector built independently (Python struct + RFC 1071 sum): vhid 90, advskew 100,
    // advbase 1, counter 0x0123456789abcdef, digest of password "123456" over 198.51.100.1.
    static let packet = hex("215a64070001ed7d0123456789abcdefcc344462381c96e7ad81a5f928b0005be085b252")

    @Test func encodesTheReferenceVector() {
        let ad = CarpAdvertisement(vhid: 90, advbase: 1, advskew: 100, counter: 0x0123_4567_89ab_cdef,
                                   digest: hex("cc344462381c96e7ad81a5f928b0005be085b252"))
        #expect(ad.encoded() == Self.packet)
        #expect(ad.encoded().count == 36)
    }

    @Test func decodesTheReferenceVector() throws {
        let ad = try CarpAdvertisement(decoding: Self.packet)
        #expect(ad.version == 2)
        #expect(ad.type == 1)
        #expect(ad.vhid == 90)
        #expect(ad.advskew == 100)
        #expect(ad.authlen == 7)
        #expect(ad.demote == 0)
        #expect(ad.advbase == 1)
        #expect(ad.checksum == 0xed7d)
        #expect(ad.counter == 0x0123_4567_89ab_cdef)
        #expect(hex(ad.digest) == "cc344462381c96e7ad81a5f928b0005be085b252")
    }

    @Test(arguments: [
        (UInt8(1), UInt8(1), UInt8(0), UInt8(0), UInt64(0)),
        (255, 255, 255, 255, .max),
        (143, 0, 17, 3, 0x8000_0000_0000_0001),
    ])
    func roundTrips(vhid: UInt8, advbase: UInt8, advskew: UInt8, demote: UInt8, counter: UInt64) throws {
        let ad = CarpAdvertisement(vhid: vhid, advbase: advbase, advskew: advskew, demote: demote, counter: counter,
                                   digest: (0..<20).map { UInt8($0) &* 13 })
        let bytes = ad.encoded()
        #expect(bytes[0] == 0x21)
        #expect(InternetChecksum.verifies(bytes))
        var decoded = try CarpAdvertisement(decoding: bytes)
        decoded.checksum = 0
        #expect(decoded == ad)
    }

    /// Fed one byte at a time, every prefix short of 36 bytes is rejected with its size.
    @Test func everyTruncatedPrefixIsRejected() {
        for n in 0..<36 {
            #expect(throws: CarpDecodeError.truncated(n)) { try CarpAdvertisement(decoding: Self.packet.prefix(n)) }
        }
    }

    @Test(arguments: [37, 40, 56, 1500])
    func oversizedInputIsRejected(size: Int) {
        let bytes = Self.packet + Array(repeating: 0, count: size - 36)
        #expect(throws: CarpDecodeError.oversized(size)) { try CarpAdvertisement(decoding: bytes) }
    }

    @Test func decodesFromASlice() throws {
        let framed = [0xaa, 0xbb] + Self.packet + [0xcc]
        let ad = try CarpAdvertisement(decoding: framed[2..<38])
        #expect(ad.vhid == 90)
    }
}
