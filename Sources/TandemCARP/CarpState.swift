/// The three CARP states (FreeBSD `CARP_STATES`).
public enum CarpState: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Not taking part: link down, shut down, or not started.
    case initial = "INIT"
    case backup = "BACKUP"
    case master = "MASTER"

    public var description: String { rawValue }
}

/// Why a vhid changed state, worded as FreeBSD logs it (`net.inet.carp.log=1`).
public enum CarpTransitionReason: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case initializationComplete = "initialization complete"
    case masterTimedOut = "master timed out"
    case preemptingSlowerMaster = "preempting a slower master"
    case masterWillTimeOut = "master will time out"
    case moreFrequentAdvertisement = "more frequent advertisement received"
    case linkDown = "link down"
    case shutdown = "shutdown"
    /// The vhid was MASTER in the daemon this one replaced (a package upgrade's handover).
    case resumedAfterHandover = "resumed as master after a handover"

    public var description: String { rawValue }
}

/// One state change, kept for `tandem status` and logged as `<vhid>@<if>: FROM -> TO (reason)`.
public struct CarpTransition<Instant: InstantProtocol>: Sendable, Hashable {
    public var time: Instant
    public var vhid: UInt8
    public var interface: String
    public var from: CarpState
    public var to: CarpState
    public var reason: CarpTransitionReason

    public init(time: Instant, vhid: UInt8, interface: String, from: CarpState, to: CarpState,
                reason: CarpTransitionReason) {
        self.time = time
        self.vhid = vhid
        self.interface = interface
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// FreeBSD's log line (`net.inet.carp.log=1`).
    public var logLine: String { "\(vhid)@\(interface): \(from) -> \(to) (\(reason))" }
}
