import TandemCARP
import TandemConfig
import TandemServices
import TandemManagement

/// What `tandem status` shows (DESIGN.md "Command line"): one entry per CARP VIP, the
/// node, and a place for the state-sync section (nil until state sync runs in the daemon).
public struct NodeStatus: Sendable, Codable, Equatable {
    public var node: NodeSummary
    public var carp: [CarpVIPStatus]
    /// Advertisements received, accepted and rejected per reason (STYLE.md §13), node-wide
    /// as FreeBSD's `carpstats`.
    public var carpCounters: CarpCounters
    /// State sync, when `<hasync>` enables it.
    public var sync: StateSyncSection?
    /// The supervised daemons (Kea, Unbound, chrony) the config asks for.
    public var services: [ServiceStatus]?
    /// The routes the config asks for (default gateways, static routes).
    public var routes: [RouteStatus]?
    /// The HTTPS management endpoint (logins, the last config push received), when it runs.
    public var management: ManagementStatus?
    /// Config sync as this node pushes it (peer, last push, notice), on a node that pushes.
    public var configPush: ConfigPushStatus?
    /// A pending `tandem apply --confirm` (deadline, revision to restore) and the last expiry.
    public var commitConfirm: CommitConfirm?

    public init(node: NodeSummary, carp: [CarpVIPStatus], carpCounters: CarpCounters = CarpCounters(), sync: StateSyncSection? = nil) {
        self.node = node
        self.carp = carp
        self.carpCounters = carpCounters
        self.sync = sync
    }
}

public struct NodeSummary: Sendable, Codable, Equatable {
    public var hostname: String?
    public var root: String
    public var pid: Int32
    /// Seconds since the epoch when the running config was loaded.
    public var configLoadedAt: Double?
    /// Why the last load or reload failed, if it did (the daemon keeps the previous one).
    public var configError: String?
    public var maintenance: Bool

    public init(hostname: String?, root: String, pid: Int32, configLoadedAt: Double?, configError: String?, maintenance: Bool) {
        self.hostname = hostname
        self.root = root
        self.pid = pid
        self.configLoadedAt = configLoadedAt
        self.configError = configError
        self.maintenance = maintenance
    }
}

/// One CARP VIP as `tandem status` lists it.
public struct CarpVIPStatus: Sendable, Codable, Equatable {
    public var interface: String
    public var vhid: Int
    /// `ADDRESS/PREFIX`.
    public var vip: String
    public var state: String
    public var advbase: Int
    /// The configured (or maintenance) advskew, and what is advertised with demotion.
    public var advskew: Int
    public var advertisedSkew: Int
    public var demotion: Int
    public var maintenance: Bool
    /// Seconds since the epoch of the last transition, and why it happened.
    public var lastTransition: Double?
    public var lastReason: String?

    public init(interface: String, vhid: Int, vip: String, state: String, advbase: Int, advskew: Int,
                advertisedSkew: Int, demotion: Int, maintenance: Bool, lastTransition: Double?,
                lastReason: String?) {
        self.interface = interface
        self.vhid = vhid
        self.vip = vip
        self.state = state
        self.advbase = advbase
        self.advskew = advskew
        self.advertisedSkew = advertisedSkew
        self.demotion = demotion
        self.maintenance = maintenance
        self.lastTransition = lastTransition
        self.lastReason = lastReason
    }
}

/// The state-sync section of `tandem status`.
public struct StateSyncSection: Sendable, Codable, Equatable {
    public var interface: String
    public var peer: String
    /// `peer up`, `peer down`, `initial bulk pending`, `error: …`.
    public var state: String
    public var localFlows: Int
    public var remoteFlows: Int
    /// Protocol counters by name (datagrams, records, resends, NACKs, bulks, rejections, …).
    public var counters: [String: Int]
    /// Whether the peer's table and this node's replica of it agree (periodic digest check).
    public var agreement: StateSyncAgreement?

    public init(interface: String, peer: String, state: String, localFlows: Int = 0, remoteFlows: Int = 0,
                counters: [String: Int] = [:], agreement: StateSyncAgreement? = nil) {
        self.interface = interface
        self.peer = peer
        self.state = state
        self.localFlows = localFlows
        self.remoteFlows = remoteFlows
        self.counters = counters
        self.agreement = agreement
    }
}

/// The agreement line of the state-sync section: `agree`, `differ` or `unknown`, how long it
/// has been so, and the flow counts of the last comparison on both sides.
public struct StateSyncAgreement: Sendable, Codable, Equatable {
    public var state: String
    /// Seconds since the state began (nil while unknown).
    public var forSeconds: Double?
    /// Seconds since the last conclusive comparison.
    public var checkedSecondsAgo: Double?
    /// Flows the peer reported, and flows in this node's replica, at that comparison.
    public var peerFlows: Int
    public var replicaFlows: Int

    public init(state: String, forSeconds: Double? = nil, checkedSecondsAgo: Double? = nil,
                peerFlows: Int = 0, replicaFlows: Int = 0) {
        self.state = state
        self.forSeconds = forSeconds
        self.checkedSecondsAgo = checkedSecondsAgo
        self.peerFlows = peerFlows
        self.replicaFlows = replicaFlows
    }

    /// The text line of `tandem status`.
    public var line: String {
        func secs(_ v: Double?) -> String { v.map { String(format: "%.0f s", $0) } ?? "?" }
        switch state {
        case "agree":
            return "tables agree: \(peerFlows) flows on both sides (for \(secs(forSeconds)), checked \(secs(checkedSecondsAgo)) ago)"
        case "differ":
            return "tables differ: the peer has \(peerFlows) flows, the replica here \(replicaFlows) (for \(secs(forSeconds)), checked \(secs(checkedSecondsAgo)) ago)"
        default:
            return "tables: agreement unknown (no conclusive comparison yet)"
        }
    }
}
