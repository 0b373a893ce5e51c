import TandemAddress

/// `<dhcpd><IF>`: the ISC DHCP server scope of one interface (pfsense-config.md §11).
public struct DHCPScope: Sendable, Hashable {
    public struct Range: Sendable, Hashable {
        public var from: IPv4Address
        public var to: IPv4Address

        public init(from: IPv4Address, to: IPv4Address) {
            self.from = from
            self.to = to
        }
    }

    /// `<staticmap>`.
    public struct StaticMap: Sendable, Hashable {
        public var mac: String?
        public var ipAddress: IPv4Address?
        public var hostname: String?
        public var descr: String?
        public var location: SourceLocation

        public init(mac: String? = nil, ipAddress: IPv4Address? = nil, hostname: String? = nil,
                    descr: String? = nil, location: SourceLocation) {
            self.mac = mac
            self.ipAddress = ipAddress
            self.hostname = hostname
            self.descr = descr
            self.location = location
        }
    }

    /// The interface key (`lan`).
    public var interface: String
    public var enabled: Bool
    public var range: Range?
    /// The router handed out: the CARP VIP in HA.
    public var gateway: IPv4Address?
    public var dnsServers: [IPv4Address]
    public var domain: String?
    public var domainSearchList: String?
    public var defaultLeaseTime: Int?
    public var maxLeaseTime: Int?
    /// The other node's real address on this interface; empty = no failover.
    public var failoverPeer: IPv4Address?
    public var staticMaps: [StaticMap]
    public var denyUnknown: Bool
    public var ntpServers: [String]
    /// `winsserver` (up to two): NetBIOS name servers, DHCP option 44 (RFC 2132 §8.9).
    public var winsServers: [IPv4Address] = []
    /// `netboot` with `nextserver`, `filename`, `rootpath`: network boot (RFC 2131 `siaddr`
    /// and `file`, RFC 2132 option 17). Nil when `netboot` is off.
    public var netboot: Netboot?
    /// Read only to warn that they are not applied: `mac_allow`, `mac_deny`, `numberoptions`.
    public var macAllow: [String] = []
    public var macDeny: [String] = []
    public var customOptionCount = 0
    public var location: SourceLocation

    public struct Netboot: Sendable, Hashable {
        public var nextServer: IPv4Address?
        public var filename: String?
        public var rootPath: String?

        public init(nextServer: IPv4Address? = nil, filename: String? = nil, rootPath: String? = nil) {
            self.nextServer = nextServer
            self.filename = filename
            self.rootPath = rootPath
        }
    }

    public init(interface: String, enabled: Bool = false, range: Range? = nil, gateway: IPv4Address? = nil,
                dnsServers: [IPv4Address] = [], domain: String? = nil, domainSearchList: String? = nil,
                defaultLeaseTime: Int? = nil, maxLeaseTime: Int? = nil, failoverPeer: IPv4Address? = nil,
                staticMaps: [StaticMap] = [], denyUnknown: Bool = false, ntpServers: [String] = [],
                location: SourceLocation? = nil) {
        self.interface = interface
        self.enabled = enabled
        self.range = range
        self.gateway = gateway
        self.dnsServers = dnsServers
        self.domain = domain
        self.domainSearchList = domainSearchList
        self.defaultLeaseTime = defaultLeaseTime
        self.maxLeaseTime = maxLeaseTime
        self.failoverPeer = failoverPeer
        self.staticMaps = staticMaps
        self.denyUnknown = denyUnknown
        self.ntpServers = ntpServers
        self.location = location ?? SourceLocation(path: "dhcpd/\(interface)")
    }
}
