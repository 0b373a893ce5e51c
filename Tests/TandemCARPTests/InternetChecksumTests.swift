import Testing
@testable import TandemCARP

@Suite struct InternetChecksumTests {
    // RFC 1071 §3 example: words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d.
    @Test func rfc1071Example() {
        #expect(InternetChecksum.compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == 0x220d)
    }

    @Test func oddLengthPadsWithZero() {
        #expect(InternetChecksum.compute([0x12, 0x34, 0x56]) == InternetChecksum.compute([0x12, 0x34, 0x56, 0x00]))
    }

    @Test func emptyAndAllZero() {
        #expect(InternetChecksum.compute([]) == 0xffff)
        #expect(InternetChecksum.compute([0, 0, 0, 0]) == 0xffff)
    }

    @Test func anyFlippedBitBreaksVerification() {
        let packet = CarpAdvertisementTests.packet
        #expect(InternetChecksum.verifies(packet))
        for index in packet.indices {
            var damaged = packet
            damaged[index] ^= 0x01
            #expect(!InternetChecksum.verifies(damaged), "flip in byte \(index)")
        }
    }

    @Test func largeInputDoesNotOverflow() {
        let bytes = [UInt8](repeating: 0xff, count: 200_000)
        #expect(InternetChecksum.compute(bytes) == 0)
    }
}
