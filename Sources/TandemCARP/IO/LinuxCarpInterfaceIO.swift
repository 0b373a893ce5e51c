#if canImport(Glibc)
import Glibc
#endif
import TandemAddress

/// CARP packet I/O on one Linux interface through plain sockets (no C library): raw
/// protocol-112 sockets per family, and send-only announcement sockets.
///
/// Sockets belong to the network namespace of the thread that opens them, so open this
/// inside the node's namespace; afterwards it may be used from any thread.
public final class LinuxCarpInterfaceIO: CarpInterfaceIO {
    public let interface: String
    public let interfaceIndex: Int32
    /// Unicast peers (FreeBSD ≥ 14 / OpenBSD `carppeer`); empty means multicast.
    public let unicastPeers: [IPAddress]
    /// The IPv4 source used when a send names none.
    public let sourceIPv4: IPv4Address?
    private let ipv4: CarpIPv4Socket?
    private let ipv6: CarpIPv6Socket?
    private let announcements: AnnouncementSockets

    /// - Parameters:
    ///   - families: the families of the VIPs on this interface.
    ///   - sourceIPv4: the IPv4 source when a send names none; nil lets the kernel use the
    ///     interface's primary address (an ordinary address, not the VIP, as BSD sends).
    ///   - unicastPeers: send to these instead of the group (per family; none = multicast).
    public init(interface: String, families: Set<IPFamily>, sourceIPv4: IPv4Address? = nil,
                unicastPeers: [IPAddress] = []) throws(CarpIOError) {
        self.interface = interface
        self.sourceIPv4 = sourceIPv4
        interfaceIndex = try CarpSyscalls.interfaceIndex(interface)
        self.unicastPeers = unicastPeers
        ipv4 = families.contains(.ipv4) ? try CarpIPv4Socket(interface: interface, index: interfaceIndex) : nil
        ipv6 = families.contains(.ipv6) ? try CarpIPv6Socket(interface: interface, index: interfaceIndex) : nil
        announcements = try AnnouncementSockets(interface: interface, index: interfaceIndex, ipv6: families.contains(.ipv6))
    }

    public var readableDescriptors: [Int32] { [ipv4?.fd, ipv6?.fd].compactMap { $0 } }

    /// The interface's MAC, which the announcements carry.
    public var hardwareAddress: [UInt8] { announcements.mac }

    public func send(_ advertisement: CarpAdvertisement, family: IPFamily, source: IPAddress?) throws(CarpIOError) {
        try sendPayload(advertisement.encoded(), family: family, source: source)
    }

    /// Sends 36 CARP bytes as they are (tests use it to send a deliberately broken packet).
    func sendPayload(_ payload: [UInt8], family: IPFamily, source: IPAddress? = nil) throws(CarpIOError) {
        if let source, source.family != family {
            throw CarpIOError("send: source \(source) is not \(family)", errno: EINVAL, context: interface)
        }
        switch family {
        case .ipv4:
            guard let ipv4 else { throw notOpened(family) }
            let from: IPv4Address? = if case .v4(let a) = source { a } else { sourceIPv4 }
            let peers = unicastPeers.compactMap { if case .v4(let a) = $0 { a } else { nil } }
            for destination in peers.isEmpty ? [CarpIPv4Socket.group] : peers {
                try ipv4.send(payload, to: destination, source: from)
            }
        case .ipv6:
            guard let ipv6 else { throw notOpened(family) }
            let from: IPv6Address? = if case .v6(let a) = source { a } else { nil }
            let peers = unicastPeers.compactMap { if case .v6(let a) = $0 { a } else { nil } }
            for destination in peers.isEmpty ? [CarpIPv6Socket.group] : peers {
                try ipv6.send(payload, to: destination, source: from)
            }
        }
    }

    public func receive() throws(CarpIOError) -> ReceivedCarpPacket? {
        if let packet = try ipv4?.receive() { return packet }
        return try ipv6?.receive()
    }

    /// Waits up to `milliseconds` for a packet on any family; nil on timeout. For simple
    /// drivers and tests; an event loop polls `readableDescriptors` instead.
    public func receive(waitingUpTo milliseconds: Int32) throws(CarpIOError) -> ReceivedCarpPacket? {
        if let packet = try receive() { return packet }
        var entries = readableDescriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let count = nfds_t(entries.count)
        let ready = try CarpSyscalls.call("poll", context: interface) { poll(&entries, count, milliseconds) }
        return ready > 0 ? try receive() : nil
    }

    public func announce(_ addresses: [IPAddress]) throws(CarpIOError) {
        for address in addresses {
            switch address {
            case .v4(let a): try announcements.gratuitousARP(a)
            case .v6(let a): try announcements.neighborAdvertisement(a)
            }
        }
    }

    private func notOpened(_ family: IPFamily) -> CarpIOError {
        CarpIOError("send: no \(family) socket (opened for \(readableDescriptors.count) famil(ies))",
                    errno: EAFNOSUPPORT, context: interface)
    }
}
