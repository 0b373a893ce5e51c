import TandemAddress
import TandemCARP

/// The CARP packet I/O the daemon drives (carp.md §12): advertisements out and in on the
/// vhid interfaces, and gratuitous ARP / unsolicited NA for VIPs taken over. The real one
/// wraps raw protocol-112 and packet sockets; tests use a fake.
public protocol CarpPacketIO: Sendable {
    /// Sends `advertisement` on `interface` over `family`, from the node's own address on
    /// the interface (never the VIP, carp.md §1.1).
    func send(_ advertisement: CarpAdvertisement, interface: String, family: IPFamily) throws
    /// Gratuitous ARP for IPv4, unsolicited NA for IPv6 addresses.
    func announce(_ addresses: [IPAddress], interface: String) throws
    /// Waits up to `timeoutMilliseconds` and returns what arrived (possibly nothing).
    func receive(timeoutMilliseconds: Int32) throws -> [ReceivedCarpPacket]
}

/// Opens the packet I/O for a plan's CARP groups (again after a reload changed them).
public typealias CarpPacketIOFactory = @Sendable (NodePlan) throws -> any CarpPacketIO
