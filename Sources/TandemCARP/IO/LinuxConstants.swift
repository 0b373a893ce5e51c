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
