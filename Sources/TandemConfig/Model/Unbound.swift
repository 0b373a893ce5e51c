/// `<unbound>`: the DNS resolver (pfsense-config.md §12).
public struct Unbound: Sendable, Hashable {
    public var enabled: Bool
    public var dnssec: Bool
    public var forwarding: Bool
    public var registerDHCP: Bool
    public var registerDHCPStatic: Bool
    public var hideIdentity: Bool
    public var hideVersion: Bool
    public var dnssecStripped: Bool
    public var qnameMinimisation: Bool
    public var port: UInt16?
    /// `active_interface`: interface names, or `all` (empty list here means all).
    public var activeInterfaces: [String]
    public var outgoingInterfaces: [String]
    /// `hosts`: host overrides (`Unbound+Overrides.swift`).
    public var hosts: [HostOverride] = []
    /// `domainoverrides`: domains forwarded to their own servers.
    public var domainOverrides: [DomainOverride] = []
    /// `acls`: access lists after the automatic ones.
    public var accessLists: [AccessList] = []
    public var location: SourceLocation

    public init(enabled: Bool = false, dnssec: Bool = false, forwarding: Bool = false, registerDHCP: Bool = false,
                registerDHCPStatic: Bool = false, hideIdentity: Bool = false, hideVersion: Bool = false,
                dnssecStripped: Bool = false, qnameMinimisation: Bool = false, port: UInt16? = nil,
                activeInterfaces: [String] = [], outgoingInterfaces: [String] = [],
                location: SourceLocation = SourceLocation(path: "unbound")) {
        self.enabled = enabled
        self.dnssec = dnssec
        self.forwarding = forwarding
        self.registerDHCP = registerDHCP
        self.registerDHCPStatic = registerDHCPStatic
        self.hideIdentity = hideIdentity
        self.hideVersion = hideVersion
        self.dnssecStripped = dnssecStripped
        self.qnameMinimisation = qnameMinimisation
        self.port = port
        self.activeInterfaces = activeInterfaces
        self.outgoingInterfaces = outgoingInterfaces
        self.location = location
    }

    /// The port listened on: 53 when not set.
    public var effectivePort: UInt16 { port ?? 53 }
    public var listensOnAllInterfaces: Bool { activeInterfaces.isEmpty }
}
