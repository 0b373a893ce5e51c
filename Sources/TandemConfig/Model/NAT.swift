import TandemAddress

/// `<nat><outbound>` (pfsense-config.md §6), normalised on load: the pre-10.3
/// `<advancedoutbound>` shape becomes mode `advanced`, and both target spellings (before and
/// after config 23.0) become one `OutboundNATTarget`.
public struct OutboundNAT: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case automatic
        case hybrid
        case advanced
        case disabled
    }

    public var mode: Mode
    public var rules: [OutboundNATRule]
    /// True when the file used `<nat><advancedoutbound>` (config < 10.3).
    public var legacyAdvancedOutbound: Bool
    public var location: SourceLocation

    public init(mode: Mode = .automatic, rules: [OutboundNATRule] = [], legacyAdvancedOutbound: Bool = false,
                location: SourceLocation = SourceLocation(path: "nat/outbound")) {
        self.mode = mode
        self.rules = rules
        self.legacyAdvancedOutbound = legacyAdvancedOutbound
        self.location = location
    }

    /// Rules are honoured only in hybrid and advanced mode (`filter.inc`).
    public var rulesApply: Bool { mode == .hybrid || mode == .advanced }
}

/// Where outbound NAT translates to, both spellings normalised (§6.1).
public enum OutboundNATTarget: Sendable, Hashable, CustomStringConvertible {
    /// The address of an interface: empty `<target>` before 23.0 (the rule's interface,
    /// `nil` here), `<target>wanip</target>` after.
    case interfaceAddress(String?)
    /// One address: a VIP, another local address (`<ip>/32`).
    case address(IPAddress)
    /// A subnet (pool): `target` + `target_subnet`, or `other-subnet` + `targetip` +
    /// `targetip_subnet` before 23.0.
    case network(IPNetwork)
    case alias(String)

    public var description: String {
        switch self {
        case .interfaceAddress(let i): (i ?? "") + "ip"
        case .address(let a): a.description
        case .network(let n): n.description
        case .alias(let a): a
        }
    }
}

/// `<nat><outbound><rule>`.
public struct OutboundNATRule: Sendable, Hashable {
    public var interface: String?
    public var ipProtocol: IPProtocolFamily?
    public var proto: RuleProtocol?
    /// `source/network` (CIDR, alias or special net such as `lan`) or `<any/>`.
    public var source: EndpointAddress
    public var sourcePort: PortSpec?
    public var destination: EndpointAddress
    public var destinationNegated: Bool
    public var destinationPort: PortSpec?
    public var target: OutboundNATTarget
    public var poolOptions: String?
    public var sourceHashKey: String?
    public var natPort: PortSpec?
    /// `staticnatport`: keep the source port (`static-port`).
    public var staticNATPort: Bool
    /// `nonat`: exclusion rule (`no nat`).
    public var noNAT: Bool
    /// `eimnat`: endpoint-independent mapping.
    public var endpointIndependent: Bool
    public var disabled: Bool
    public var noSync: Bool
    public var descr: String?
    public var created: ChangeStamp?
    public var updated: ChangeStamp?
    public var location: SourceLocation
    /// An OPNsense MVC source NAT rule (`OPNsense/Firewall/Filter/snatrules`): applied
    /// before the outbound list whatever the mode, as OPNsense does.
    public var alwaysApplies: Bool = false

    public init(interface: String? = nil, ipProtocol: IPProtocolFamily? = nil, proto: RuleProtocol? = nil,
                source: EndpointAddress = .any, sourcePort: PortSpec? = nil, destination: EndpointAddress = .any,
                destinationNegated: Bool = false, destinationPort: PortSpec? = nil,
                target: OutboundNATTarget = .interfaceAddress(nil), poolOptions: String? = nil,
                sourceHashKey: String? = nil, natPort: PortSpec? = nil, staticNATPort: Bool = false,
                noNAT: Bool = false, endpointIndependent: Bool = false, disabled: Bool = false,
                noSync: Bool = false, descr: String? = nil, created: ChangeStamp? = nil,
                updated: ChangeStamp? = nil, location: SourceLocation) {
        self.interface = interface
        self.ipProtocol = ipProtocol
        self.proto = proto
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationNegated = destinationNegated
        self.destinationPort = destinationPort
        self.target = target
        self.poolOptions = poolOptions
        self.sourceHashKey = sourceHashKey
        self.natPort = natPort
        self.staticNATPort = staticNATPort
        self.noNAT = noNAT
        self.endpointIndependent = endpointIndependent
        self.disabled = disabled
        self.noSync = noSync
        self.descr = descr
        self.created = created
        self.updated = updated
        self.location = location
    }
}

/// `<nat><rule>`: a port forward (pfsense-config.md §7).
public struct PortForward: Sendable, Hashable {
    public var interfaces: [String]
    public var ipProtocol: IPProtocolFamily?
    public var proto: RuleProtocol?
    public var source: RuleEndpoint
    public var destination: RuleEndpoint
    /// `target`: the internal address or an alias.
    public var target: AddressSpec?
    /// `local-port`: the first internal port (a range keeps the destination range's width).
    public var localPort: PortSpec?
    public var descr: String?
    /// `nat_…` links the generated filter rule; `pass` means "rdr pass" with no filter rule.
    public var associatedRuleID: String?
    /// `natreflection`: `enable`, `purenat`, `disable`.
    public var natReflection: String?
    /// `nordr`: exclusion (no redirection).
    public var noRedirect: Bool
    public var noSync: Bool
    public var disabled: Bool
    public var created: ChangeStamp?
    public var updated: ChangeStamp?
    public var location: SourceLocation

    public init(interfaces: [String] = [], ipProtocol: IPProtocolFamily? = nil, proto: RuleProtocol? = nil,
                source: RuleEndpoint = RuleEndpoint(), destination: RuleEndpoint = RuleEndpoint(),
                target: AddressSpec? = nil, localPort: PortSpec? = nil, descr: String? = nil,
                associatedRuleID: String? = nil, natReflection: String? = nil, noRedirect: Bool = false,
                noSync: Bool = false, disabled: Bool = false, created: ChangeStamp? = nil,
                updated: ChangeStamp? = nil, location: SourceLocation) {
        self.interfaces = interfaces
        self.ipProtocol = ipProtocol
        self.proto = proto
        self.source = source
        self.destination = destination
        self.target = target
        self.localPort = localPort
        self.descr = descr
        self.associatedRuleID = associatedRuleID
        self.natReflection = natReflection
        self.noRedirect = noRedirect
        self.noSync = noSync
        self.disabled = disabled
        self.created = created
        self.updated = updated
        self.location = location
    }
}
