import TandemAddress

/// `<hasync>` (pfsense-config.md §10): state sync (pfsync) and config sync (XML-RPC).
/// Both the pfSense form (`on` toggles) and the OPNsense MVC form (`<hasync version="…">`,
/// explicit `0`/`1`) are read into this one value.
public struct HASync: Sendable, Hashable {
    /// One `synchronize*` toggle, in file order; unknown names are kept.
    public struct Toggle: Sendable, Hashable {
        public var name: String
        public var enabled: Bool

        public init(name: String, enabled: Bool) {
            self.name = name
            self.enabled = enabled
        }
    }

    public var pfsyncEnabled: Bool
    /// Internal interface name (`opt1`).
    public var pfsyncInterface: String?
    /// `pfsyncpeerip` as written; empty means multicast.
    public var pfsyncPeer: IPAddress?
    /// `pfhostid`: hex host id, must differ per node.
    public var pfHostID: String?
    /// `synchronizetoip`: the XML-RPC peer; empty on the secondary. OPNsense may write a URL.
    public var synchronizeToIP: String?
    public var username: String?
    public var password: String?
    public var adminSync: Bool
    /// `new_password`: adminsync rotation.
    public var newPassword: String?
    public var toggles: [Toggle]
    /// OPNsense MVC model version attribute (`<hasync version="1.0.2">`), nil for pfSense.
    public var modelVersion: String?
    public var disablePreempt: Bool
    public var disconnectPPPs: Bool
    public var verifyPeer: Bool
    public var pfsyncDefer: Bool
    public var pfsyncVersion: String?
    /// OPNsense `syncitems` (replaces the individual toggles there).
    public var syncItems: [String]
    public var location: SourceLocation

    public init(pfsyncEnabled: Bool = false, pfsyncInterface: String? = nil, pfsyncPeer: IPAddress? = nil,
                pfHostID: String? = nil, synchronizeToIP: String? = nil, username: String? = nil,
                password: String? = nil, adminSync: Bool = false, newPassword: String? = nil,
                toggles: [Toggle] = [], modelVersion: String? = nil, disablePreempt: Bool = false,
                disconnectPPPs: Bool = false, verifyPeer: Bool = false, pfsyncDefer: Bool = false,
                pfsyncVersion: String? = nil, syncItems: [String] = [],
                location: SourceLocation = SourceLocation(path: "hasync")) {
        self.pfsyncEnabled = pfsyncEnabled
        self.pfsyncInterface = pfsyncInterface
        self.pfsyncPeer = pfsyncPeer
        self.pfHostID = pfHostID
        self.synchronizeToIP = synchronizeToIP
        self.username = username
        self.password = password
        self.adminSync = adminSync
        self.newPassword = newPassword
        self.toggles = toggles
        self.modelVersion = modelVersion
        self.disablePreempt = disablePreempt
        self.disconnectPPPs = disconnectPPPs
        self.verifyPeer = verifyPeer
        self.pfsyncDefer = pfsyncDefer
        self.pfsyncVersion = pfsyncVersion
        self.syncItems = syncItems
        self.location = location
    }

    /// The pfsync group address: a peer of 224.0.0.240 means multicast too.
    public static let pfsyncMulticastGroup = IPAddress("224.0.0.240")!

    /// The unicast state-sync peer, nil for multicast.
    public var pfsyncUnicastPeer: IPAddress? {
        guard let pfsyncPeer, pfsyncPeer != Self.pfsyncMulticastGroup else { return nil }
        return pfsyncPeer
    }

    /// The XML-RPC peer as an address, when `synchronizetoip` is one (not a URL).
    public var synchronizeToAddress: IPAddress? { synchronizeToIP.flatMap { IPAddress($0) } }

    /// Whether this node pushes its config (only the primary has `synchronizetoip`).
    public var pushesConfig: Bool { !(synchronizeToIP ?? "").isEmpty }

    /// The remote user, `admin` when empty (pfSense's default).
    public var effectiveUsername: String { (username?.isEmpty == false ? username : nil) ?? "admin" }

    public func isEnabled(_ toggle: String) -> Bool {
        toggles.contains { $0.name == toggle && $0.enabled }
    }
}
