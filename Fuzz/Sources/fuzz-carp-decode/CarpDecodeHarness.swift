import FuzzInput
import TandemAddress
import TandemCARP

/// CARP receive path from raw bytes: the IPv4 header view, the advertisement decoder, its
/// round trip, and receive validation (TTL, version, type, checksum, vhid, HMAC, own
/// packets), as `CarpNode` runs it on every packet a LAN host can send
/// (FreeBSD `sys/netinet/ip_carp.c` carp_input_c). Input: one byte of choices, then the
/// packet.
func fuzzCarpDecode(_ data: UnsafePointer<UInt8>, _ size: Int) {
    var input = FuzzInput(data, size)
    let choices = input.u8()
    let payload = input.rest()

    // As a whole IPv4 datagram (the raw IPv4 socket delivers the header).
    if let packet = try? ReceivedCarpPacket(ipv4Datagram: payload, interface: "lan") {
        fuzzCheck(packet.payload.count <= payload.count, "payload longer than the datagram")
        _ = validate(packet, choices: choices)
    }

    // As the advertisement alone (the IPv6 socket strips the header).
    let packet = ReceivedCarpPacket(interface: "lan", source: source(choices),
                                    hopLimit: choices & 0x80 == 0 ? 255 : Int(choices), payload: payload)
    let verdict = validate(packet, choices: choices)

    if let ad = try? CarpAdvertisement(decoding: payload) {
        fuzzCheck(payload.count == CarpAdvertisement.size, "decoded \(payload.count) bytes")
        // Round trip: re-encoding gives the same header bytes except the checksum, which
        // `encoded()` recomputes; a packet whose checksum verified re-encodes byte for byte.
        guard ad.digest.count == CarpAdvertisement.digestSize else { fuzzCheck(false, "digest size"); return }
        let again = ad.encoded()
        var expected = payload
        expected[0] = ad.version << 4 | ad.type & 0x0f  // the nibbles as decoded
        fuzzCheck(Array(again[8...]) == Array(expected[8...]) && Array(again[1..<6]) == Array(expected[1..<6]),
                  "re-encoding changed the advertisement")
        let decodedAgain = try? CarpAdvertisement(decoding: again)
        fuzzCheck(decodedAgain.map { $0.counter == ad.counter && $0.digest == ad.digest && $0.advbase == ad.advbase } ?? false,
                  "decode(encode(x)) differs")
        // Ones' complement has two zeros, so a verifying checksum may be 0x0000 or 0xffff
        // for the same header (RFC 1071 §1); everything else must come back as sent.
        if InternetChecksum.verifies(payload) {
            fuzzCheck(InternetChecksum.verifies(again), "re-encoded packet fails its checksum")
            fuzzCheck(Array(again[..<6]) == Array(payload[..<6]) && Array(again[8...]) == Array(payload[8...]),
                      "checksum-valid packet re-encodes differently")
        }
    } else {
        fuzzCheck(payload.count != CarpAdvertisement.size, "a 36-byte payload did not decode")
        if case .success = verdict { fuzzCheck(false, "an undecodable packet was accepted") }
    }

}

private let key = CarpKey(password: "fuzz")
private let vips: [IPAddress] = [.v4(IPv4Address(bytes: [192, 0, 2, 1])!)]

private func source(_ choices: UInt8) -> IPAddress {
    choices & 1 == 0 ? .v4(IPv4Address(bytes: [192, 0, 2, 2])!) : .v4(IPv4Address(bytes: [192, 0, 2, 3])!)
}

private func validate(_ packet: ReceivedCarpPacket, choices: UInt8) -> Result<CarpAdvertisement, CarpRejection> {
    let own: Set<IPAddress> = [.v4(IPv4Address(bytes: [192, 0, 2, 3])!)]
    let verdict = CarpReceiveValidation.validate(packet, ownAddresses: own) { vhid in
        guard vhid == 1 || choices & 2 == 2 else { return nil }
        return CarpReceiveContext(key: key, addresses: vips, lastSentCounter: choices & 4 == 4 ? 7 : nil)
    }
    if case .success(let ad) = verdict {
        fuzzCheck(packet.hopLimit == 255, "accepted with TTL \(packet.hopLimit)")
        fuzzCheck(CarpHMAC.verify(ad, key: key, addresses: vips), "accepted without a valid HMAC")
        fuzzCheck(!own.contains(packet.source), "accepted our own packet")
    }
    return verdict
}
