import Testing
import TandemAddress
@testable import TandemCARP

@Suite struct AnnouncementTests {
    static let mac: [UInt8] = [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30]

    @Test func gratuitousARPLayout() {
        let packet = Announcement.gratuitousARP(address: IPv4Address("192.0.2.1")!, mac: Self.mac)
        #expect(packet == [0, 1, 8, 0, 6, 4, 0, 1] + Self.mac + [192, 0, 2, 1] + [0, 0, 0, 0, 0, 0] + [192, 0, 2, 1])
        #expect(packet.count == 28)
    }

    @Test(arguments: [(true, UInt8(0xa0)), (false, 0x20)])
    func neighborAdvertisementLayout(router: Bool, flags: UInt8) {
        let target = IPv6Address("2001:db8::1")!
        let packet = Announcement.unsolicitedNeighborAdvertisement(target: target, mac: Self.mac, router: router)
        #expect(packet.count == 32)
        #expect(Array(packet[0..<8]) == [136, 0, 0, 0, flags, 0, 0, 0])
        #expect(Array(packet[8..<24]) == target.bytes)
        #expect(Array(packet[24..<32]) == [2, 1] + Self.mac)
    }

    /// cmsghdr records read by hand: skips others, finds the hop limit, stops on garbage.
    @Test func controlMessagesParse() {
        func record(level: Int32, type: Int32, value: Int32) -> [UInt8] {
            let length = MemoryLayout<Int>.size + 8 + 4
            var bytes = withUnsafeBytes(of: length) { Array($0) }
            bytes += withUnsafeBytes(of: level) { Array($0) } + withUnsafeBytes(of: type) { Array($0) }
            bytes += withUnsafeBytes(of: value) { Array($0) }
            while bytes.count % MemoryLayout<Int>.size != 0 { bytes.append(0) }
            return bytes
        }
        let control = record(level: 41, type: 50, value: 7) + record(level: 41, type: 52, value: 255)
        #expect(ControlMessages.integer(in: control, level: 41, type: 52) == 255)
        #expect(ControlMessages.integer(in: control, level: 41, type: 99) == nil)
        #expect(ControlMessages.integer(in: [], level: 41, type: 52) == nil)
        #expect(ControlMessages.integer(in: [UInt8](repeating: 0xff, count: 40), level: 41, type: 52) == nil)
    }
}
