import Testing
@testable import TandemNetlink
import TandemRuleset

/// Interval sets split into start/end elements as nft's `src/intervals.c` does.
@Suite struct NftSetEncodingTests {
    typealias F = NftFixtures

    @Test func rangesBecomeStartAndEndElementsWithALeadingZeroEnd() throws {
        let e = try NftEncoding.elements([.interval(F.a4("192.0.2.0"), F.a4("192.0.2.255")), .single(F.a4("198.51.100.7"))],
                                         key: .ipv4Address, interval: true, set: "s")
        #expect(e == [
            NftSetElement(key: [0, 0, 0, 0], isIntervalEnd: true),
            NftSetElement(key: [192, 0, 2, 0]), NftSetElement(key: [192, 0, 3, 0], isIntervalEnd: true),
            NftSetElement(key: [198, 51, 100, 7]), NftSetElement(key: [198, 51, 100, 8], isIntervalEnd: true),
        ])
    }

    @Test func adjacentRangesShareTheirBoundaryAndTheMaximumIsOpen() throws {
        let e = try NftEncoding.elements([.interval(.port(0), .port(21)), .interval(.port(22), .port(65535))],
                                         key: .inetService, interval: true, set: "s")
        #expect(e == [NftSetElement(key: [0, 0]), NftSetElement(key: [0, 22])])
    }

    @Test func keysUseTheDatatypeByteOrder() {
        #expect(NftEncoding.bytes(.port(443)) == [0x01, 0xbb])
        #expect(NftEncoding.bytes(.mark(1)) == [1, 0, 0, 0])
        #expect(NftEncoding.bytes(.ifname("lo")) == [0x6c, 0x6f] + [UInt8](repeating: 0, count: 14))
        #expect(NftEncoding.successor([0, 255], hostOrder: false) == [1, 0])
        #expect(NftEncoding.successor([255, 255], hostOrder: false) == nil)
    }

    @Test func aRangeInASetWithoutIntervalFlagIsRefused() {
        #expect(throws: NftLinearizeError.self) {
            try NftEncoding.elements([.interval(.port(1), .port(2))], key: .inetService, interval: false, set: "s")
        }
    }

    @Test func verdictMapElementsCarryTheirVerdict() throws {
        let e = try NftEncoding.elements([.mapping(.ifname("eth0"), .jump("if_lan"))], key: .ifname, interval: false, set: "m")
        #expect(e.first?.verdict == .jump && e.first?.chain == "if_lan")
    }
}
