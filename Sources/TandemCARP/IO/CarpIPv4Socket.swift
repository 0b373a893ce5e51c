#if canImport(Glibc)
import Glibc
#endif
import TandemAddress

/// The raw IPv4 protocol-112 socket of one interface (raw(7), ip(7)): bound to the device,
/// joined to 224.0.0.18 on its ifindex with `ip_mreqn`, `IP_MULTICAST_ALL` off so groups
/// joined elsewhere are not delivered, and `IP_HDRINCL` so TTL 255, DF and the TOS are
/// exactly what BSD sends. Receives carry the IP header, so TTL and source are checked.
final class CarpIPv4Socket: Sendable {
    static let group = IPv4Address(224, 0, 0, 18)
    let fd: Int32
    let interface: String

    init(interface: String, index: Int32) throws(CarpIOError) {
        self.interface = interface
        fd = try CarpSyscalls.socket(AF_INET, Int32(SOCK_RAW.rawValue), LinuxConstants.ipprotoCARP, context: interface)
        do {
            try CarpSyscalls.setOption(fd, SOL_SOCKET, LinuxConstants.soBindToDevice,
                                       bytes: Array(interface.utf8) + [0], "SO_BINDTODEVICE", context: interface)
            try CarpSyscalls.setOption(fd, Int32(IPPROTO_IP), LinuxConstants.ipMulticastAll, Int32(0),
                                       "IP_MULTICAST_ALL", context: interface)
            let membership = ip_mreqn(imr_multiaddr: in_addr(s_addr: Self.group.value.bigEndian),
                                      imr_address: in_addr(s_addr: 0), imr_ifindex: index)
            try CarpSyscalls.setOption(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, membership,
                                       "IP_ADD_MEMBERSHIP \(Self.group)", context: interface)
            try CarpSyscalls.setOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_IF, membership,
                                       "IP_MULTICAST_IF", context: interface)
            // Our own multicast must not loop back into our receive path.
            try CarpSyscalls.setOption(fd, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, UInt8(0),
                                       "IP_MULTICAST_LOOP", context: interface)
            try CarpSyscalls.setOption(fd, Int32(IPPROTO_IP), IP_HDRINCL, Int32(1), "IP_HDRINCL", context: interface)
        } catch {
            CarpSyscalls.close(fd)
            throw error
        }
    }

    deinit { CarpSyscalls.close(fd) }

    /// 20-byte header: version 4, IHL 5, TOS CS7, DF, TTL 255, protocol 112. Total length,
    /// ID and header checksum are left zero for the kernel to fill (raw(7)).
    /// A nil source is written as 0.0.0.0, which the kernel fills in (raw(7)) with the
    /// interface's primary address, not a secondary VIP.
    static func header(from source: IPv4Address?, to destination: IPv4Address) -> [UInt8] {
        [0x45, LinuxConstants.carpTOS, 0, 0, 0, 0, 0x40, 0, 255, UInt8(LinuxConstants.ipprotoCARP), 0, 0]
            + (source ?? IPv4Address(0)).bytes + destination.bytes
    }

    func send(_ payload: [UInt8], to destination: IPv4Address, source: IPv4Address?) throws(CarpIOError) {
        try CarpSyscalls.sendTo(fd, Self.header(from: source, to: destination) + payload,
                                SocketAddress.ipv4(destination), "\(destination)", context: interface)
    }

    func receive() throws(CarpIOError) -> ReceivedCarpPacket? {
        guard let message = try CarpSyscalls.receiveMessage(fd, capacity: 1500, controlCapacity: 0, context: interface) else {
            return nil
        }
        do {
            return try ReceivedCarpPacket(ipv4Datagram: message.data, interface: interface)
        } catch {
            // The kernel hands raw sockets only datagrams whose header it parsed, so this
            // means a cut buffer: report it rather than guess a source for the ladder.
            throw CarpIOError("recvmsg: \(error)", errno: EBADMSG, context: interface)
        }
    }
}
