#if canImport(Glibc)
import Glibc
#endif
import TandemAddress

/// Send-only sockets for gratuitous ARP and unsolicited neighbour advertisements on one
/// interface (packet(7), RFC 4861 §7.2.6). The packet socket is opened with protocol 0 so
/// it receives nothing, and the ICMPv6 socket filters every type out: an unread socket
/// must not fill with traffic (keepalived issue #1973).
final class AnnouncementSockets: Sendable {
    let interface: String
    let index: Int32
    let packet: Int32
    let icmp6: Int32?
    /// The interface's hardware address, read from the bound packet socket.
    let mac: [UInt8]

    init(interface: String, index: Int32, ipv6: Bool) throws(CarpIOError) {
        self.interface = interface
        self.index = index
        packet = try CarpSyscalls.socket(AF_PACKET, Int32(SOCK_DGRAM.rawValue), 0, context: interface)
        var icmp: Int32?
        do throws(CarpIOError) {
            precondition(MemoryLayout<LinkLayerSocketAddress>.size == 20, "sockaddr_ll layout")
            // Protocol 0: bound to the interface for getsockname, but receives nothing.
            let local = LinkLayerSocketAddress(ifindex: index)
            try CarpSyscalls.bind(packet, local, "AF_PACKET ifindex \(index)", context: interface)
            let bound = try CarpSyscalls.localAddress(packet, as: LinkLayerSocketAddress.self, "AF_PACKET", context: interface)
            let length = Int(bound.halen)
            let hardware = withUnsafeBytes(of: bound.addr) { Array($0.prefix(length)) }
            guard hardware.count == 6 else {
                throw CarpIOError("getsockname(AF_PACKET): hardware address of \(length) bytes, expected an Ethernet MAC",
                                  errno: EAFNOSUPPORT, context: interface)
            }
            mac = hardware
            if ipv6 {
                let fd = try CarpSyscalls.socket(AF_INET6, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMPV6), context: interface)
                icmp = fd
                let v6 = Int32(IPPROTO_IPV6)
                try CarpSyscalls.setOption(fd, SOL_SOCKET, LinuxConstants.soBindToDevice,
                                           bytes: Array(interface.utf8) + [0], "SO_BINDTODEVICE", context: interface)
                try CarpSyscalls.setOption(fd, Int32(IPPROTO_ICMPV6), LinuxConstants.icmp6Filter,
                                           bytes: [UInt8](repeating: 0xff, count: 32), "ICMP6_FILTER block all", context: interface)
                // RFC 4861 §7.1.2: receivers drop neighbour discovery with a hop limit below 255.
                try CarpSyscalls.setOption(fd, v6, IPV6_MULTICAST_HOPS, Int32(255), "IPV6_MULTICAST_HOPS", context: interface)
                try CarpSyscalls.setOption(fd, v6, IPV6_MULTICAST_IF, index, "IPV6_MULTICAST_IF", context: interface)
                try CarpSyscalls.setOption(fd, v6, IPV6_MULTICAST_LOOP, UInt32(0), "IPV6_MULTICAST_LOOP", context: interface)
            }
        } catch {
            CarpSyscalls.close(packet)
            if let icmp { CarpSyscalls.close(icmp) }
            throw error
        }
        icmp6 = icmp
    }

    deinit {
        CarpSyscalls.close(packet)
        if let icmp6 { CarpSyscalls.close(icmp6) }
    }

    func gratuitousARP(_ address: IPv4Address) throws(CarpIOError) {
        let broadcast = LinkLayerSocketAddress(proto: LinuxConstants.ethernetTypeARP.bigEndian, ifindex: index, halen: 6,
                                               addr: (0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0))
        try CarpSyscalls.sendTo(packet, Announcement.gratuitousARP(address: address, mac: mac), broadcast,
                                "gratuitous ARP \(address)", context: interface)
    }

    func neighborAdvertisement(_ address: IPv6Address) throws(CarpIOError) {
        guard let icmp6 else {
            throw CarpIOError("unsolicited NA \(address): no ICMPv6 socket (opened without IPv6)", errno: EAFNOSUPPORT,
                              context: interface)
        }
        let allNodes = IPv6Address("ff02::1")!
        try CarpSyscalls.sendTo(icmp6, Announcement.unsolicitedNeighborAdvertisement(target: address, mac: mac),
                                SocketAddress.ipv6(allNodes.bytes, scope: index), "unsolicited NA \(address)",
                                context: interface)
    }
}
