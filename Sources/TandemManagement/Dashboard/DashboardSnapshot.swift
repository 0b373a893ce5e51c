/// What the dashboard and `/metrics` show of a node at one moment: plain values the daemon
/// fills from its status, so that the pages and the exposition are pure functions of it.
public struct DashboardSnapshot: Sendable, Codable, Hashable {
    public struct CarpVIP: Sendable, Codable, Hashable {
        public var interface: String
        public var vhid: Int
        public var address: String
        /// MASTER, BACKUP or INIT.
        public var state: String
        public var advbase: Int
        public var advskew: Int
        /// What is advertised (advskew with demotion or maintenance).
        public var advertisedSkew: Int
        /// Seconds since the epoch of the last transition, and its reason.
        public var lastTransition: Double?
        public var lastReason: String?

        public init(interface: String, vhid: Int, address: String, state: String, advbase: Int, advskew: Int,
                    advertisedSkew: Int, lastTransition: Double?, lastReason: String?) {
            self.interface = interface
            self.vhid = vhid
            self.address = address
            self.state = state
            self.advbase = advbase
            self.advskew = advskew
            self.advertisedSkew = advertisedSkew
            self.lastTransition = lastTransition
            self.lastReason = lastReason
        }
    }

    /// A counter with labels, as the daemon counts it (CARP rejections by reason,
    /// transitions by vhid, state and reason, state-sync protocol counters, …).
    public struct Count: Sendable, Codable, Hashable {
        public var labels: [String: String]
        public var value: Double

        public init(_ labels: [String: String], _ value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    public struct StateSync: Sendable, Codable, Hashable {
        public var interface: String
        public var peer: String
        public var state: String
        public var localFlows: Int
        public var remoteFlows: Int
        /// `agree`, `differ`, `unknown`, and its sentence.
        public var agreement: String
        public var agreementLine: String
        /// Protocol counters by name.
        public var counters: [String: Int]

        public init(interface: String, peer: String, state: String, localFlows: Int, remoteFlows: Int,
                    agreement: String, agreementLine: String, counters: [String: Int]) {
            self.interface = interface
            self.peer = peer
            self.state = state
            self.localFlows = localFlows
            self.remoteFlows = remoteFlows
            self.agreement = agreement
            self.agreementLine = agreementLine
            self.counters = counters
        }
    }

    public struct ConfigSync: Sendable, Codable, Hashable {
        /// The peer this node pushes to; nil on a node that does not push.
        public var pushPeer: String?
        public var lastPushTime: Double?
        /// `pushed`, `refused`, `failed`.
        public var lastPushResult: String?
        public var lastPushDetail: String?
        /// Pushes since the daemon started, by result.
        public var pushes: [String: Int]
        public var notice: String?
        public var lastReceivedTime: Double?
        public var lastReceivedFrom: String?
        public var lastReceivedResult: String?

        public init(pushPeer: String? = nil, lastPushTime: Double? = nil, lastPushResult: String? = nil,
                    lastPushDetail: String? = nil, pushes: [String: Int] = [:], notice: String? = nil,
                    lastReceivedTime: Double? = nil, lastReceivedFrom: String? = nil, lastReceivedResult: String? = nil) {
            self.pushPeer = pushPeer
            self.lastPushTime = lastPushTime
            self.lastPushResult = lastPushResult
            self.lastPushDetail = lastPushDetail
            self.pushes = pushes
            self.notice = notice
            self.lastReceivedTime = lastReceivedTime
            self.lastReceivedFrom = lastReceivedFrom
            self.lastReceivedResult = lastReceivedResult
        }
    }

    /// A supervised daemon or a route: a name, whether it is fine, and a line of detail.
    public struct Item: Sendable, Codable, Hashable {
        public var name: String
        public var ok: Bool
        public var detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public struct Interface: Sendable, Codable, Hashable {
        /// The config's name (`wan`, `lan`) and description, and the device.
        public var name: String
        public var device: String
        public var addresses: [String]
        /// `up`, `down`, `no carrier`, `missing`.
        public var link: String
        public var up: Bool

        public init(name: String, device: String, addresses: [String], link: String, up: Bool) {
            self.name = name
            self.device = device
            self.addresses = addresses
            self.link = link
            self.up = up
        }
    }

    public struct RuleCounter: Sendable, Codable, Hashable {
        public var tracker: String
        public var description: String
        public var packets: UInt64
        public var bytes: UInt64

        public init(tracker: String, description: String, packets: UInt64, bytes: UInt64) {
            self.tracker = tracker
            self.description = description
            self.packets = packets
            self.bytes = bytes
        }
    }

    public struct Revision: Sendable, Codable, Hashable {
        public var number: Int
        public var time: Double?
        public var user: String
        public var description: String
        /// What changed since the revision before (sections and items).
        public var changes: String
        /// The node's current config.
        public var current: Bool

        public init(number: Int, time: Double?, user: String, description: String, changes: String = "",
                    current: Bool = false) {
            self.number = number
            self.time = time
            self.user = user
            self.description = description
            self.changes = changes
            self.current = current
        }
    }

    public var hostname: String
    /// "primary: pushes config to …" or "secondary".
    public var role: String
    public var maintenance: Bool
    public var configLoadedAt: Double?
    public var configError: String?
    public var carp: [CarpVIP]
    public var carpReceived: Double
    public var carpAccepted: Double
    /// Rejected advertisements by `reason`.
    public var carpRejections: [Count]
    /// Transitions by `vhid`, `state` (the new one) and `reason`.
    public var carpTransitions: [Count]
    public var stateSync: StateSync?
    public var configSync: ConfigSync
    public var services: [Item]
    public var routes: [Item]
    public var interfaces: [Interface]
    /// The rules with the most packets, most first (bounded by the daemon).
    public var rules: [RuleCounter]
    /// The newest revisions first.
    public var revisions: [Revision]
    /// Applies since start and their total duration in seconds.
    public var applies: Int
    public var applySeconds: Double
    public var lastApplySeconds: Double?

    public init(hostname: String, role: String, maintenance: Bool = false, configLoadedAt: Double? = nil,
                configError: String? = nil, carp: [CarpVIP] = [], carpReceived: Double = 0, carpAccepted: Double = 0,
                carpRejections: [Count] = [], carpTransitions: [Count] = [], stateSync: StateSync? = nil,
                configSync: ConfigSync = ConfigSync(), services: [Item] = [], routes: [Item] = [],
                interfaces: [Interface] = [], rules: [RuleCounter] = [], revisions: [Revision] = [],
                applies: Int = 0, applySeconds: Double = 0, lastApplySeconds: Double? = nil) {
        self.hostname = hostname
        self.role = role
        self.maintenance = maintenance
        self.configLoadedAt = configLoadedAt
        self.configError = configError
        self.carp = carp
        self.carpReceived = carpReceived
        self.carpAccepted = carpAccepted
        self.carpRejections = carpRejections
        self.carpTransitions = carpTransitions
        self.stateSync = stateSync
        self.configSync = configSync
        self.services = services
        self.routes = routes
        self.interfaces = interfaces
        self.rules = rules
        self.revisions = revisions
        self.applies = applies
        self.applySeconds = applySeconds
        self.lastApplySeconds = lastApplySeconds
    }
}
