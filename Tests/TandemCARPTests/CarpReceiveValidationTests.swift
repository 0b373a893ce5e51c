import Testing
import TandemAddress
@testable import TandemCARP

@Suite struct CarpReceiveValidationTests {
    static let key = CarpKey(password: "123456")
    static let vips = [IPAddress("198.51.100.1")!]
    static let peer = IPAddress("198.51.100.3")!
    static let me = IPAddress("198.51.100.2")!

    static func packet(ttl: Int = 255, source: IPAddress = peer, _ edit: (inout [UInt8]) -> Void = { _ in }) -> ReceivedCarpPacket {
        var bytes = CarpAdvertisement.signed(vhid: 143, advbase: 1, advskew: 100, counter: 1000,
                                             key: key, addresses: vips).encoded()
        edit(&bytes)
        return ReceivedCarpPacket(interface: "wan0", source: source, hopLimit: ttl, payload: bytes)
    }

    static func validate(_ p: ReceivedCarpPacket, lastSent: UInt64? = nil) -> Result<CarpAdvertisement, CarpRejection> {
        CarpReceiveValidation.validate(p, ownAddresses: [me]) { vhid in
            vhid == 143 ? CarpReceiveContext(key: key, addresses: vips, lastSentCounter: lastSent) : nil
        }
    }

    /// Recomputes the checksum after an edit, so a later rung is what fails.
    static func resum(_ b: inout [UInt8]) {
        b[6] = 0
        b[7] = 0
        let s = InternetChecksum.compute(b)
        b[6] = UInt8(s >> 8)
        b[7] = UInt8(s & 0xff)
    }

    @Test func acceptsAValidAdvertisement() throws {
        let ad = try Self.validate(Self.packet()).get()
        #expect(ad.vhid == 143 && ad.advskew == 100 && ad.counter == 1000)
    }

    @Test(arguments: [
        ("ttl 254", packet(ttl: 254), CarpRejection.badTTL),
        ("ttl 1", packet(ttl: 1), .badTTL),
        ("35 bytes", packet { $0.removeLast() }, .badLength),
        ("37 bytes", packet { $0.append(0) }, .badLength),
        ("empty", packet { $0 = [] }, .badLength),
        ("version 1", packet { $0[0] = 0x11; resum(&$0) }, .badVersion),
        ("version 3 (VRRPv3)", packet { $0[0] = 0x31; resum(&$0) }, .badVersion),
        ("type 2", packet { $0[0] = 0x22; resum(&$0) }, .badType),
        ("checksum", packet { $0[6] ^= 0xff }, .badChecksum),
        ("counter changed, checksum stale", packet { $0[15] ^= 1 }, .badChecksum),
        ("unknown vhid", packet { $0[1] = 7; resum(&$0) }, .unknownVHID),
        ("digest byte", packet { $0[20] ^= 1; resum(&$0) }, .badHMAC),
        ("counter changed", packet { $0[15] ^= 1; resum(&$0) }, .badHMAC),
        ("from our own address", packet(source: me), .ownAdvertisement),
    ])
    func rejects(_ name: String, _ packet: ReceivedCarpPacket, _ reason: CarpRejection) {
        #expect(Self.validate(packet) == .failure(reason), "\(name)")
    }

    @Test func rejectsOurLastCounterEchoedBack() {
        #expect(Self.validate(Self.packet(), lastSent: 1000) == .failure(.ownAdvertisement))
        #expect((try? Self.validate(Self.packet(), lastSent: 999).get()) != nil)
    }

    @Test func wrongPasswordIsBadHMAC() {
        let result = CarpReceiveValidation.validate(Self.packet(), ownAddresses: []) { _ in
            CarpReceiveContext(key: CarpKey(password: "654321"), addresses: Self.vips, lastSentCounter: nil)
        }
        #expect(result == .failure(.badHMAC))
    }

    @Test func countersCountEachReason() {
        var counters = CarpCounters()
        counters.count(Self.validate(Self.packet()))
        counters.count(Self.validate(Self.packet(ttl: 64)))
        counters.count(Self.validate(Self.packet(ttl: 64)))
        counters.count(Self.validate(Self.packet { $0[6] ^= 1 }))
        #expect(counters.received == 4)
        #expect(counters.accepted == 1)
        #expect(counters[.badTTL] == 2)
        #expect(counters[.badChecksum] == 1)
        #expect(counters[.badHMAC] == 0)
    }

    @Test func splitsARawIPv4Datagram() throws {
        let carp = Self.packet().payload
        var ip: [UInt8] = [0x45, 0x10, 0, 56, 0, 0, 0x40, 0, 255, 112, 0, 0, 198, 51, 100, 3, 224, 0, 0, 18]
        ip += carp
        let p = try ReceivedCarpPacket(ipv4Datagram: ip + [0, 0, 0, 0], interface: "lan0")
        #expect(p.source == Self.peer)
        #expect(p.hopLimit == 255)
        #expect(p.payload == carp)
        #expect(throws: IPv4HeaderError.truncated(19)) { try ReceivedCarpPacket(ipv4Datagram: Array(ip.prefix(19)), interface: "x") }
        #expect(throws: IPv4HeaderError.notIPv4(version: 6)) {
            try ReceivedCarpPacket(ipv4Datagram: [0x65] + Array(ip.dropFirst()), interface: "x")
        }
    }

    /// A datagram captured from ucarp 1.5.2 (`-v 42 -p 'pfsense pass' -a 198.51.100.1 -b 1
    /// -k 37`, IP header included), an independent implementation of the same HMAC.
    static let ucarpDatagram = hex("""
        45100038 1bb44000 ff705549 c6336402 e0000012
        212a2507 00012fa1 296423d4 b3a1aec0 009ffb58 fcf264e8 5c4603cd 3f66c94a 2b5ce89d
        """)

    @Test func acceptsACapturedUcarpAdvertisement() throws {
        let packet = try ReceivedCarpPacket(ipv4Datagram: Self.ucarpDatagram, interface: "lan0")
        let vip = [IPAddress("198.51.100.1")!]
        // ucarp keeps the space; the raw passphrase bytes are its key.
        let verdict = CarpReceiveValidation.validate(packet, ownAddresses: []) { _ in
            CarpReceiveContext(key: CarpKey(passphraseBytes: Array("pfsense pass".utf8)), addresses: vip, lastSentCounter: nil)
        }
        let ad = try verdict.get()
        #expect(ad.vhid == 42 && ad.advskew == 37 && ad.advbase == 1 && ad.counter == 0x2964_23d4_b3a1_aec0)
        #expect(packet.source == IPAddress("198.51.100.2")! && packet.hopLimit == 255)
        // pfSense strips spaces from the password, so its key differs from ucarp's here.
        let stripped = CarpReceiveValidation.validate(packet, ownAddresses: []) { _ in
            CarpReceiveContext(key: CarpKey(password: "pfsense pass"), addresses: vip, lastSentCounter: nil)
        }
        #expect(stripped == .failure(.badHMAC))
        // And our encoder produces ucarp's exact 36 bytes from the same fields.
        let ours = CarpAdvertisement.signed(vhid: 42, advbase: 1, advskew: 37, counter: ad.counter,
                                            key: CarpKey(passphraseBytes: Array("pfsense pass".utf8)), addresses: vip)
        #expect(ours.encoded() == Array(Self.ucarpDatagram[20...]))
    }
}
