#if canImport(Glibc)
import Glibc
#endif
import TandemAddress

/// CARP packet I/O for all of a node's vhid interfaces at once: one `LinuxCarpInterfaceIO`
/// per interface, one `poll` over all their sockets: send/announce by interface name, and
/// "whatever arrived within T". The daemon drives it through its `CarpPacketIO` protocol,
/// the kernel tests' harness directly.
public final class LinuxCarpSocketSet: Sendable {
    public let interfaces: [String: LinuxCarpInterfaceIO]

    /// Opens the sockets; call it inside the node's network namespace.
    /// - Parameters:
    ///   - families: the VIP families per interface.
    ///   - sourcesIPv4: per interface, the IPv4 source of advertisements when a send names
    ///     none: the node's own address there, never the VIP (as BSD sends); an interface
    ///     missing here lets the kernel pick its primary address.
    ///   - unicastPeers: per interface, peers to send to instead of the multicast group.
    public init(families: [String: Set<IPFamily>], sourcesIPv4: [String: IPv4Address] = [:],
                unicastPeers: [String: [IPAddress]] = [:]) throws(CarpIOError) {
        var opened: [String: LinuxCarpInterfaceIO] = [:]
        for (name, set) in families.sorted(by: { $0.key < $1.key }) {
            opened[name] = try LinuxCarpInterfaceIO(interface: name, families: set, sourceIPv4: sourcesIPv4[name],
                                                    unicastPeers: unicastPeers[name] ?? [])
        }
        interfaces = opened
    }

    public func send(_ advertisement: CarpAdvertisement, interface: String, family: IPFamily,
                     source: IPAddress?) throws(CarpIOError) {
        try io(interface).send(advertisement, family: family, source: source)
    }

    public func announce(_ addresses: [IPAddress], interface: String) throws(CarpIOError) {
        try io(interface).announce(addresses)
    }

    /// Waits up to `timeoutMilliseconds` for any socket to become readable, then drains
    /// every socket (at most 64 packets each, so one flooded interface cannot starve the
    /// timers). Returns what arrived, possibly nothing.
    public func receive(timeoutMilliseconds: Int32) throws(CarpIOError) -> [ReceivedCarpPacket] {
        let all = interfaces.values.sorted { $0.interface < $1.interface }
        var entries = all.flatMap { $0.readableDescriptors }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let count = nfds_t(entries.count)
        _ = try CarpSyscalls.call("poll", context: "CARP sockets") { poll(&entries, count, timeoutMilliseconds) }
        var packets: [ReceivedCarpPacket] = []
        for io in all {
            for _ in 0..<64 {
                guard let packet = try io.receive() else { break }
                packets.append(packet)
            }
        }
        return packets
    }

    private func io(_ interface: String) throws(CarpIOError) -> LinuxCarpInterfaceIO {
        guard let io = interfaces[interface] else {
            throw CarpIOError("no CARP sockets open on this interface", errno: ENODEV, context: interface)
        }
        return io
    }
}
