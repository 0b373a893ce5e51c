#if canImport(Glibc)
import Glibc
#endif
import TandemAddress
import TandemCARP

/// The real packet I/O: one `LinuxCarpInterfaceIO` (raw protocol-112 sockets and send-only
/// announcement sockets) per interface that carries a vhid, polled together.
public final class LinuxCarpPacketIO: CarpPacketIO {
    private let interfaces: [String: any CarpInterfaceIO]

    /// Opens the sockets for `plan` in the calling thread's network namespace. The IPv4
    /// source of advertisements is the node's own address on the interface (carp.md §1.1).
    public init(plan: NodePlan) throws {
        var byInterface: [String: any CarpInterfaceIO] = [:]
        var families: [String: Set<IPFamily>] = [:]
        var sources: [String: IPv4Address] = [:]
        for group in plan.carpGroups {
            families[group.device, default: []].formUnion(group.addresses.map(\.family))
            if case .v4(let a)? = group.source { sources[group.device] = a }
        }
        for (device, fams) in families.sorted(by: { $0.key < $1.key }) {
            byInterface[device] = try LinuxCarpInterfaceIO(interface: device, families: fams, sourceIPv4: sources[device])
        }
        interfaces = byInterface
    }

    public func send(_ advertisement: CarpAdvertisement, interface: String, family: IPFamily) throws {
        guard let io = interfaces[interface] else {
            throw CarpIOError("send", errno: ENODEV, context: "\(interface): no CARP sockets open")
        }
        try io.send(advertisement, family: family)
    }

    public func announce(_ addresses: [IPAddress], interface: String) throws {
        guard let io = interfaces[interface] else {
            throw CarpIOError("announce", errno: ENODEV, context: "\(interface): no CARP sockets open")
        }
        try io.announce(addresses)
    }

    public func receive(timeoutMilliseconds: Int32) throws -> [ReceivedCarpPacket] {
        let all = interfaces.values.map { $0 }
        var entries: [pollfd] = []
        var owners: [any CarpInterfaceIO] = []
        for io in all {
            for fd in io.readableDescriptors {
                entries.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                owners.append(io)
            }
        }
        guard !entries.isEmpty else { return [] }
        let ready: Int32
        while true {
            let r = poll(&entries, nfds_t(entries.count), timeoutMilliseconds)
            if r >= 0 { ready = r; break }
            if errno == EINTR { continue }
            throw CarpIOError("poll", errno: errno, context: "CARP sockets")
        }
        guard ready > 0 else { return [] }
        var packets: [ReceivedCarpPacket] = []
        var drained = Set<ObjectIdentifier>()
        for (i, entry) in entries.enumerated() where entry.revents != 0 {
            let io = owners[i]
            guard drained.insert(ObjectIdentifier(io)).inserted else { continue }
            // Bounded drain: a flood on one interface cannot starve the others.
            for _ in 0..<64 {
                guard let p = try io.receive() else { break }
                packets.append(p)
            }
        }
        return packets
    }
}
