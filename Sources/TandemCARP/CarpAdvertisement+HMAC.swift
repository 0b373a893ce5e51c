import Crypto
import TandemAddress

/// The CARP digest (`carp_hmac_prepare` / `carp_hmac_generate`), identical in OpenBSD, FreeBSD and ucarp:
/// HMAC-SHA1 with the 20-byte key over
/// `0x02 ‖ 0x01 ‖ vhid ‖ IPv4 VIPs ascending ‖ IPv6 VIPs ascending ‖ counter (8 bytes)`.
/// advbase, advskew and demote are not covered.
public enum CarpHMAC {
    /// The HMAC input for one vhid. Duplicates are hashed once (BSD walks the addresses with
    /// a strictly-greater loop). Link-local IPv6 addresses have bytes 2–3 zeroed, where BSD
    /// embeds the KAME scope (`IN6_IS_SCOPE_EMBED`), so they are hashed in their on-wire
    /// `fe80::` form; other IPv6 addresses are hashed as they are.
    /// `includingIPv6LinkLocal: false` gives OpenBSD's `HMAC_NOV6LL` variant.
    public static func message(vhid: UInt8, addresses: [IPAddress], counter: UInt64,
                               includingIPv6LinkLocal: Bool = true) -> [UInt8] {
        var v4: Set<IPv4Address> = []
        var v6: Set<IPv6Address> = []
        for address in addresses {
            switch address {
            case .v4(let a): v4.insert(a)
            case .v6(let a) where includingIPv6LinkLocal || !a.isLinkLocal: v6.insert(a)
            case .v6: continue
            }
        }
        var message: [UInt8] = [CarpAdvertisement.currentVersion, CarpAdvertisement.advertisementType, vhid]
        for a in v4.sorted() { message += a.bytes }
        // IPv6Address orders by its 128-bit value, which is memcmp order of the wire bytes.
        for a in v6.sorted() {
            var bytes = a.bytes
            if a.isLinkLocal {
                bytes[2] = 0
                bytes[3] = 0
            }
            message += bytes
        }
        message += CarpAdvertisement(vhid: vhid, advbase: 0, advskew: 0, counter: counter).counterBytes
        return message
    }

    public static func digest(key: CarpKey, vhid: UInt8, addresses: [IPAddress], counter: UInt64,
                              includingIPv6LinkLocal: Bool = true) -> [UInt8] {
        let input = message(vhid: vhid, addresses: addresses, counter: counter,
                            includingIPv6LinkLocal: includingIPv6LinkLocal)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: input, using: SymmetricKey(data: key.bytes))
        return Array(mac)
    }

    /// Checks a received digest. Tandem sends with every VIP (FreeBSD needs link-locals in);
    /// OpenBSD sends without IPv6 link-locals, so both are accepted (OpenBSD
    /// accepts `HMAC_ORIG` or `HMAC_NOV6LL`). Each comparison is constant-time (OpenBSD `timingsafe_bcmp`).
    public static func verify(_ advertisement: CarpAdvertisement, key: CarpKey, addresses: [IPAddress]) -> Bool {
        let full = digest(key: key, vhid: advertisement.vhid, addresses: addresses, counter: advertisement.counter)
        if constantTimeEqual(full, advertisement.digest) { return true }
        guard addresses.contains(where: { if case .v6(let a) = $0 { a.isLinkLocal } else { false } }) else { return false }
        let withoutLinkLocal = digest(key: key, vhid: advertisement.vhid, addresses: addresses,
                                      counter: advertisement.counter, includingIPv6LinkLocal: false)
        return constantTimeEqual(withoutLinkLocal, advertisement.digest)
    }

    /// Compares without an early exit so timing does not reveal how many bytes matched.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

extension CarpAdvertisement {
    /// A complete advertisement for a vhid, its digest computed over `addresses`.
    public static func signed(vhid: UInt8, advbase: UInt8, advskew: UInt8, demote: UInt8 = 0,
                              counter: UInt64, key: CarpKey, addresses: [IPAddress]) -> CarpAdvertisement {
        CarpAdvertisement(vhid: vhid, advbase: advbase, advskew: advskew, demote: demote, counter: counter,
                          digest: CarpHMAC.digest(key: key, vhid: vhid, addresses: addresses, counter: counter))
    }
}
