import TandemAddress
import TandemCARP

/// The daemon's real packet I/O is TandemCARP's socket set (every vhid interface behind one
/// poll), opened from the plan's CARP groups.
extension LinuxCarpSocketSet: CarpPacketIO {
    /// Opens the sockets for `plan` in the calling thread's network namespace: per
    /// interface the families of its VIPs, and the node's own IPv4 address there as the
    /// advertisement source (never the VIP, carp.md §1.1).
    public convenience init(plan: NodePlan) throws(CarpIOError) {
        var families: [String: Set<IPFamily>] = [:]
        var sources: [String: IPv4Address] = [:]
        for group in plan.carpGroups {
            families[group.device, default: []].formUnion(group.addresses.map(\.family))
            if case .v4(let a)? = group.source { sources[group.device] = a }
        }
        try self.init(families: families, sourcesIPv4: sources)
    }

    /// Sends from the interface's configured source (see `init(plan:)`).
    public func send(_ advertisement: CarpAdvertisement, interface: String, family: IPFamily) throws(CarpIOError) {
        try send(advertisement, interface: interface, family: family, source: nil)
    }
}
