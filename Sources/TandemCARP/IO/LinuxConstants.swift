#if canImport(Glibc)
import Glibc
#endif

/// Linux socket constants the Glibc module does not export (values from the uapi headers
/// `linux/in.h`, `linux/in6.h`, `asm-generic/socket.h`, `linux/if_ether.h`).
enum LinuxConstants {
    static let ipprotoCARP: Int32 = 112
    static let soBindToDevice: Int32 = 25
    static let ipMulticastAll: Int32 = 49
    static let ipv6MulticastAll: Int32 = 29
    static let ipv6RecvPacketInfo: Int32 = 49
    static let ipv6PacketInfo: Int32 = 50
    static let ipv6RecvHopLimit: Int32 = 51
    static let ipv6HopLimit: Int32 = 52
    static let icmp6Filter: Int32 = 1
    static let ethernetTypeARP: UInt16 = 0x0806
    static let arpHardwareEther: UInt16 = 1
    /// DSCP CS7, the TOS byte FreeBSD gives advertisements (`net.inet.carp.dscp` 56).
    static let carpTOS: UInt8 = 0xe0
}

/// Socket addresses built from Tandem's address types.
enum SocketAddress {
    static func ipv4(_ address: IPv4AddressBits) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr = in_addr(s_addr: address.bigEndian)
        return a
    }

    static func ipv6(_ bytes: [UInt8], scope: Int32) -> sockaddr_in6 {
        var a = sockaddr_in6()
        a.sin6_family = sa_family_t(AF_INET6)
        a.sin6_addr = in6(bytes)
        a.sin6_scope_id = UInt32(scope)
        return a
    }

    static func in6(_ bytes: [UInt8]) -> in6_addr {
        precondition(bytes.count == 16)
        var a = in6_addr()
        withUnsafeMutableBytes(of: &a) { raw in
            for i in 0..<16 { raw[i] = bytes[i] }
        }
        return a
    }

    static func bytes(of address: sockaddr_in6) -> [UInt8] {
        withUnsafeBytes(of: address.sin6_addr) { Array($0) }
    }
}

/// An IPv4 address as a host-order integer, for `SocketAddress.ipv4`.
typealias IPv4AddressBits = UInt32

/// `struct sockaddr_ll` from `<linux/if_packet.h>`, which the Glibc module does not
/// import; same field order and sizes (20 bytes, checked in `AnnouncementSockets`).
struct LinkLayerSocketAddress {
    var family: UInt16 = UInt16(AF_PACKET)
    /// Ethernet type, network byte order.
    var proto: UInt16 = 0
    var ifindex: Int32 = 0
    var hatype: UInt16 = 0
    var pkttype: UInt8 = 0
    var halen: UInt8 = 0
    var addr: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
}
