import TandemAddress

/// CARP packet I/O on one interface, the effect behind the pure core: the daemon holds one
/// per interface that carries vhids and carries out `.send` and `.announce` actions with
/// it. `LinuxCarpInterfaceIO` is the real one; tests and the daemon's tests use fakes.
public protocol CarpInterfaceIO: AnyObject, Sendable {
    var interface: String { get }
    /// Descriptors to watch for readability (one per family), for a poll loop or a
    /// `DispatchSource`; when one is readable, call `receive()` until it returns nil.
    var readableDescriptors: [Int32] { get }
    /// Sends an advertisement with TTL / hop limit 255 to the group (224.0.0.18, ff02::12),
    /// or to the configured unicast peers of that family, from `source` (an ordinary
    /// address of the interface, never the VIP, as BSD sends) or, when nil, from the
    /// address the kernel picks.
    func send(_ advertisement: CarpAdvertisement, family: IPFamily, source: IPAddress?) throws(CarpIOError)
    /// The next packet waiting on any family's socket, or nil when none is.
    func receive() throws(CarpIOError) -> ReceivedCarpPacket?
    /// Gratuitous ARP for the IPv4 and unsolicited neighbour advertisements for the IPv6
    /// addresses.
    func announce(_ addresses: [IPAddress]) throws(CarpIOError)
}

extension CarpInterfaceIO {
    /// Sends from the interface's default source.
    public func send(_ advertisement: CarpAdvertisement, family: IPFamily) throws(CarpIOError) {
        try send(advertisement, family: family, source: nil)
    }
}
