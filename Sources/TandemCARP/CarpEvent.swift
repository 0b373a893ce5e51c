import TandemAddress

/// What can happen to one vhid. The driver turns link notifications, validated packets,
/// timer expiries and operator commands into these.
public enum CarpEvent: Sendable, Hashable {
    /// The parent interface's link (carrier and IFF_UP) changed. INIT → BACKUP needs it up
    /// (FreeBSD `carp_setrun`); losing it drops the vhid to INIT.
    case linkChanged(up: Bool)
    /// An advertisement that passed the receive ladder (`CarpReceiveValidation`).
    case advertisementReceived(CarpAdvertisement)
    /// A wake-up the machine asked for is due. Early or stale wake-ups are harmless.
    case wakeUp
    /// Persistent maintenance mode: advskew 254 replaces the configured one (pfSense Status > CARP).
    case setMaintenance(Bool)
    /// The node's demotion, added to the advertised advskew (FreeBSD `net.inet.carp.demotion`).
    case setDemotion(Int)
    /// Bow out: a master advertises advbase 255 / advskew 255 once so the peer takes over at
    /// once (OpenBSD's carp interface going down), removes its VIPs, and the vhid stops.
    case shutdown
    /// Stop for a handover to a new daemon (a package upgrade): a master advertises once
    /// more at its normal priority, so the peer's master-down interval starts afresh while
    /// the successor starts, keeps its VIPs, and the vhid stops (`resumesAsMaster`).
    case handOver
}

/// What the driver must do, in order.
public enum CarpAction<Instant: InstantProtocol>: Sendable, Hashable {
    /// Send this advertisement on the vhid's interface, once per family.
    case send(CarpAdvertisement, families: Set<IPFamily>)
    /// Add the VIPs to the interface (rtnetlink `RTM_NEWADDR`; IPv6 with `IFA_F_NODAD`).
    case addAddresses([IPNetwork])
    /// Remove the VIPs (rtnetlink `RTM_DELADDR` with `IFA_ADDRESS`).
    case removeAddresses([IPNetwork])
    /// Gratuitous ARP for the IPv4 and unsolicited neighbour advertisements for the IPv6
    /// VIPs, so switches and neighbours learn where the VIPs now live.
    case announce([IPAddress])
    /// Deliver `.wakeUp` at this instant; replaces any earlier request of this vhid.
    case wakeUp(at: Instant)
    /// Log this state change.
    case transition(CarpTransition<Instant>)
}
