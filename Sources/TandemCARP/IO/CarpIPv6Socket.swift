#if canImport(Glibc)
import Glibc
#endif
import TandemAddress

/// The raw IPv6 protocol-112 socket of one interface (ipv6(7), raw(7)): bound to the device,
/// joined to ff02::12 on its ifindex, hop limit 255 out, and the received hop limit taken
/// from `IPV6_HOPLIMIT` ancillary data (an IPv6 raw socket gets no IP header). No
/// `IPV6_CHECKSUM`: CARP's checksum has no pseudo-header.
final class CarpIPv6Socket: Sendable {
    static let group = IPv6Address("ff02::12")!
    let fd: Int32
    let interface: String
    let index: Int32

    init(interface: String, index: Int32) throws(CarpIOError) {
        self.interface = interface
        self.index = index
        fd = try CarpSyscalls.socket(AF_INET6, Int32(SOCK_RAW.rawValue), LinuxConstants.ipprotoCARP, context: interface)
        do {
            let v6 = Int32(IPPROTO_IPV6)
            try CarpSyscalls.setOption(fd, SOL_SOCKET, LinuxConstants.soBindToDevice,
                                       bytes: Array(interface.utf8) + [0], "SO_BINDTODEVICE", context: interface)
            try CarpSyscalls.setOption(fd, v6, LinuxConstants.ipv6MulticastAll, Int32(0),
                                       "IPV6_MULTICAST_ALL", context: interface)
            let membership = ipv6_mreq(ipv6mr_multiaddr: SocketAddress.in6(Self.group.bytes), ipv6mr_interface: UInt32(index))
            try CarpSyscalls.setOption(fd, v6, IPV6_JOIN_GROUP, membership, "IPV6_JOIN_GROUP \(Self.group)", context: interface)
            try CarpSyscalls.setOption(fd, v6, IPV6_MULTICAST_IF, index, "IPV6_MULTICAST_IF", context: interface)
            try CarpSyscalls.setOption(fd, v6, IPV6_MULTICAST_HOPS, Int32(255), "IPV6_MULTICAST_HOPS", context: interface)
            try CarpSyscalls.setOption(fd, v6, IPV6_UNICAST_HOPS, Int32(255), "IPV6_UNICAST_HOPS", context: interface)
            try CarpSyscalls.setOption(fd, v6, IPV6_MULTICAST_LOOP, UInt32(0), "IPV6_MULTICAST_LOOP", context: interface)
            try CarpSyscalls.setOption(fd, v6, LinuxConstants.ipv6RecvHopLimit, Int32(1), "IPV6_RECVHOPLIMIT", context: interface)
        } catch {
            CarpSyscalls.close(fd)
            throw error
        }
    }

    deinit { CarpSyscalls.close(fd) }

    /// Without a source the kernel picks one (for ff02::12 the interface's link-local, as
    /// BSD sends); with one, it is set per packet through `IPV6_PKTINFO`.
    func send(_ payload: [UInt8], to destination: IPv6Address, source: IPv6Address?) throws(CarpIOError) {
        let address = SocketAddress.ipv6(destination.bytes, scope: index)
        guard let source else {
            try CarpSyscalls.sendTo(fd, payload, address, "\(destination)", context: interface)
            return
        }
        let control = ControlMessages.record(level: Int32(IPPROTO_IPV6), type: LinuxConstants.ipv6PacketInfo,
                                             data: source.bytes + withUnsafeBytes(of: UInt32(index)) { Array($0) })
        try CarpSyscalls.sendMessage(fd, payload, address, control: control, "\(destination) from \(source)", context: interface)
    }

    func receive() throws(CarpIOError) -> ReceivedCarpPacket? {
        guard let message = try CarpSyscalls.receiveMessage(fd, capacity: 1500, controlCapacity: 128, context: interface) else {
            return nil
        }
        let source = withUnsafeBytes(of: message.source) { $0.loadUnaligned(as: sockaddr_in6.self) }
        // A missing hop limit reads as 0, which the ladder rejects: never assume 255.
        let hopLimit = ControlMessages.integer(in: message.control, level: Int32(IPPROTO_IPV6),
                                               type: LinuxConstants.ipv6HopLimit) ?? 0
        return ReceivedCarpPacket(interface: interface, source: .v6(IPv6Address(bytes: SocketAddress.bytes(of: source))!),
                                  hopLimit: Int(hopLimit), payload: message.data)
    }
}

/// Reads `cmsghdr` records (cmsg(3)) by hand: the CMSG_* macros do not import into Swift.
/// Layout on Linux: `size_t cmsg_len; int cmsg_level; int cmsg_type;` then data, each
/// record aligned to `size_t`.
enum ControlMessages {
    /// One record, padded to `CMSG_SPACE(data.count)`.
    static func record(level: Int32, type: Int32, data: [UInt8]) -> [UInt8] {
        let word = MemoryLayout<Int>.size
        let length = word + 8 + data.count
        var bytes = withUnsafeBytes(of: length) { Array($0) }
        bytes += withUnsafeBytes(of: level) { Array($0) } + withUnsafeBytes(of: type) { Array($0) } + data
        while bytes.count % word != 0 { bytes.append(0) }
        return bytes
    }

    static func integer(in control: [UInt8], level: Int32, type: Int32) -> Int32? {
        let word = MemoryLayout<Int>.size
        let headerSize = word + 8
        var offset = 0
        return control.withUnsafeBytes { raw -> Int32? in
            while offset + headerSize <= raw.count {
                let length = raw.loadUnaligned(fromByteOffset: offset, as: Int.self)
                let recordLevel = raw.loadUnaligned(fromByteOffset: offset + word, as: Int32.self)
                let recordType = raw.loadUnaligned(fromByteOffset: offset + word + 4, as: Int32.self)
                guard length >= headerSize, offset + length <= raw.count else { return nil }
                if recordLevel == level, recordType == type, length >= headerSize + 4 {
                    return raw.loadUnaligned(fromByteOffset: offset + headerSize, as: Int32.self)
                }
                offset += (length + word - 1) / word * word
            }
            return nil
        }
    }
}
