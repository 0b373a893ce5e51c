import TandemAddress

/// Which product wrote the file: the root element (`<pfsense>` or `<opnsense>`).
public enum ConfigFlavor: String, Sendable, Hashable, CaseIterable {
    case pfsense
    case opnsense
}

/// The typed view of one node's config.xml: every section Tandem reads, as values, each item
/// remembering where it was written. It is extracted from the document tree (which keeps
/// everything else for the round trip) and never edited directly: edits change the tree and
/// re-extract.
public struct Config: Sendable, Hashable {
    public var flavor: ConfigFlavor
    /// The root's direct `<version>` child (absent in some OPNsense files).
    public var version: ConfigVersion?
    public var system: SystemConfig
    /// In file order, keyed by internal name (`wan`, `lan`, `opt1`, …).
    public var interfaces: [InterfaceConfig]
    public var gateways: [Gateway]
    /// `gateways/defaultgw4`, `gateways/defaultgw6`: gateway names.
    public var defaultGatewayV4: String?
    public var defaultGatewayV6: String?
    /// Names of `<ifgroups><ifgroupentry>` interface groups (usable where an interface is).
    public var interfaceGroups: [String] = []
    /// Names of `<gateways><gateway_group>` entries (usable wherever a gateway name is).
    public var gatewayGroups: [String] = []
    public var staticRoutes: [StaticRoute]
    public var aliases: [Alias]
    /// `<schedules>`: time ranges rules refer to by name (`<sched>`).
    public var schedules: [Schedule] = []
    public var filterRules: [FilterRule]
    public var outboundNAT: OutboundNAT
    public var portForwards: [PortForward]
    public var virtualIPs: [VirtualIP]
    /// Top-level `<virtualip_carp_maintenancemode/>`: every CARP VIP advertises advskew 254.
    public var carpMaintenanceMode: Bool
    /// Tandem extension `<tandem><carp_subsecond/></tandem>` (absent from pfSense's schema,
    /// which requires advbase ≥ 1): allows CARP advbase 0, OpenBSD-style sub-second
    /// advertisements (advskew/256 s). Only OpenBSD-style peers and other Tandem nodes
    /// accept such advertisements; FreeBSD/pfSense peers drop them.
    public var carpSubsecond: Bool = false
    /// Tandem extension `<tandem><metrics>`: who may read `/metrics`.
    public var metrics = MetricsSettings()
    public var hasync: HASync?
    /// `<dhcpd><IF>` scopes in file order.
    public var dhcpd: [DHCPScope]
    public var unbound: Unbound?
    public var revision: ChangeStamp?
    /// Values that were present but could not be typed (a port of `70000`, a `<subnet>` of
    /// `abc`); the validator reports them as errors. The typed field is left nil.
    public var issues: [ConfigDiagnostic]

    public init(flavor: ConfigFlavor = .pfsense, version: ConfigVersion? = nil,
                system: SystemConfig = SystemConfig(), interfaces: [InterfaceConfig] = [],
                gateways: [Gateway] = [], defaultGatewayV4: String? = nil, defaultGatewayV6: String? = nil,
                staticRoutes: [StaticRoute] = [], aliases: [Alias] = [], filterRules: [FilterRule] = [],
                outboundNAT: OutboundNAT = OutboundNAT(), portForwards: [PortForward] = [],
                virtualIPs: [VirtualIP] = [], carpMaintenanceMode: Bool = false, hasync: HASync? = nil,
                dhcpd: [DHCPScope] = [], unbound: Unbound? = nil, revision: ChangeStamp? = nil,
                issues: [ConfigDiagnostic] = []) {
        self.flavor = flavor
        self.version = version
        self.system = system
        self.interfaces = interfaces
        self.gateways = gateways
        self.defaultGatewayV4 = defaultGatewayV4
        self.defaultGatewayV6 = defaultGatewayV6
        self.staticRoutes = staticRoutes
        self.aliases = aliases
        self.filterRules = filterRules
        self.outboundNAT = outboundNAT
        self.portForwards = portForwards
        self.virtualIPs = virtualIPs
        self.carpMaintenanceMode = carpMaintenanceMode
        self.hasync = hasync
        self.dhcpd = dhcpd
        self.unbound = unbound
        self.revision = revision
        self.issues = issues
    }

    public func interface(named name: String) -> InterfaceConfig? {
        interfaces.first { $0.name == name }
    }

    public func schedule(named name: String) -> Schedule? {
        schedules.first { $0.name == name }
    }

    public func alias(named name: String) -> Alias? {
        aliases.first { $0.name == name }
    }

    /// A gateway written in the file or, failing that, an implicit one (`implicitGateways`).
    public func gateway(named name: String) -> Gateway? {
        gateways.first { $0.name == name } ?? implicitGateways.first { $0.name == name }
    }

    public func virtualIP(uniqid: String) -> VirtualIP? {
        virtualIPs.first { $0.uniqid == uniqid }
    }

    /// CARP VIPs only, in file order.
    public var carpVIPs: [VirtualIP] { virtualIPs.filter { $0.mode == .carp } }

    public func dhcpScope(interface name: String) -> DHCPScope? {
        dhcpd.first { $0.interface == name }
    }
}
