import TandemAddress

/// The packets that tell a segment where a VIP now lives, sent on taking over (FreeBSD
/// `carp_master_down_locked`: gratuitous ARP and unsolicited NA). Pure builders; the
/// packet I/O sends them.
public enum Announcement {
    /// A gratuitous ARP request (RFC 5227 §3 "ARP Announcement"; FreeBSD
    /// `arp_announce_ifaddr`): sender and target protocol address both the VIP, sender
    /// hardware address ours, target hardware address zero. 28 bytes, for an `AF_PACKET`
    /// `SOCK_DGRAM` socket that adds the Ethernet header (broadcast, type 0x0806).
    public static func gratuitousARP(address: IPv4Address, mac: [UInt8]) -> [UInt8] {
        precondition(mac.count == 6, "Ethernet MAC must be 6 bytes")
        var packet: [UInt8] = [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]  // Ethernet, IPv4, request
        packet += mac + address.bytes
        packet += [0, 0, 0, 0, 0, 0] + address.bytes
        return packet
    }

    /// An unsolicited neighbour advertisement (RFC 4861 §4.4, §7.2.6): ICMPv6 type 136,
    /// Override set (Router too when the node forwards, as OpenBSD does), the VIP as target
    /// and a Target Link-Layer Address option with our MAC. The checksum is left zero: the
    /// kernel fills it on an ICMPv6 raw socket.
    public static func unsolicitedNeighborAdvertisement(target: IPv6Address, mac: [UInt8], router: Bool = true) -> [UInt8] {
        precondition(mac.count == 6, "Ethernet MAC must be 6 bytes")
        let flags: UInt8 = (router ? 0x80 : 0) | 0x20  // R, O; S stays clear (unsolicited)
        var packet: [UInt8] = [136, 0, 0, 0, flags, 0, 0, 0]
        packet += target.bytes
        packet += [2, 1] + mac  // option 2 = Target Link-Layer Address, length 1 × 8 bytes
        return packet
    }
}
