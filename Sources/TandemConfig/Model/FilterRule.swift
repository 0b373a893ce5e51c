import TandemAddress

/// `<filter><rule>` (pfsense-config.md §5): every field the GUI writes.
public struct FilterRule: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case pass
        case block
        case reject
        case match
    }

    public enum Direction: String, Sendable, Hashable, CaseIterable {
        case `in`
        case out
        case any
    }

    public enum StateType: String, Sendable, Hashable, CaseIterable {
        case keepState = "keep state"
        case sloppyState = "sloppy state"
        case synproxyState = "synproxy state"
        case none
    }

    /// `tracker`: unique per rule, used to map counters and kernel errors back to the rule.
    public var tracker: String?
    public var id: String?
    public var action: Action
    /// `interface`: one name, or for floating rules a comma list or `any`.
    public var interfaces: [String]
    /// OPNsense's `interfacenot`: the rule applies on every interface but these.
    public var interfaceNegated: Bool = false
    public var ipProtocol: IPProtocolFamily
    public var proto: RuleProtocol?
    /// `icmptype`: comma list, e.g. `echoreq`.
    public var icmpTypes: [String]
    public var source: RuleEndpoint
    public var destination: RuleEndpoint
    public var descr: String?
    public var disabled: Bool
    public var log: Bool
    /// `floating` = `yes`.
    public var floating: Bool
    /// `quick` = `yes` (floating rules only; interface-tab rules are always quick).
    public var quick: Bool
    public var direction: Direction?
    public var stateType: StateType
    /// `nopfsync`: states of this rule are not replicated to the peer.
    public var noPfsync: Bool
    /// `nosync`: the rule is not sent to the peer by XML-RPC.
    public var noSync: Bool
    /// Policy routing: a gateway or gateway-group name.
    public var gateway: String?
    /// Links the rule to the port forward that created it (`nat_…`).
    public var associatedRuleID: String?
    public var schedule: String?
    public var tag: String?
    public var tagged: String?
    public var allowOptions: Bool
    public var disableReplyTo: Bool
    public var maxStates: Int?
    public var maxSourceNodes: Int?
    public var maxSourceConnections: Int?
    public var maxSourceStates: Int?
    public var stateTimeout: Int?
    public var created: ChangeStamp?
    public var updated: ChangeStamp?
    public var location: SourceLocation
    /// Its place among `<filter>`'s rules (1-based), as read from a file: what names a rule
    /// without a tracker in the kernel log. nil for a rule made in code (its place in the
    /// list is used).
    public var number: Int?

    public init(tracker: String? = nil, id: String? = nil, action: Action = .pass, interfaces: [String] = [],
                ipProtocol: IPProtocolFamily = .inet, proto: RuleProtocol? = nil, icmpTypes: [String] = [],
                source: RuleEndpoint = RuleEndpoint(), destination: RuleEndpoint = RuleEndpoint(),
                descr: String? = nil, disabled: Bool = false, log: Bool = false, floating: Bool = false,
                quick: Bool = false, direction: Direction? = nil, stateType: StateType = .keepState,
                noPfsync: Bool = false, noSync: Bool = false, gateway: String? = nil,
                associatedRuleID: String? = nil, schedule: String? = nil, tag: String? = nil,
                tagged: String? = nil, allowOptions: Bool = false, disableReplyTo: Bool = false,
                maxStates: Int? = nil, maxSourceNodes: Int? = nil, maxSourceConnections: Int? = nil,
                maxSourceStates: Int? = nil, stateTimeout: Int? = nil, created: ChangeStamp? = nil,
                updated: ChangeStamp? = nil, location: SourceLocation) {
        self.tracker = tracker
        self.id = id
        self.action = action
        self.interfaces = interfaces
        self.ipProtocol = ipProtocol
        self.proto = proto
        self.icmpTypes = icmpTypes
        self.source = source
        self.destination = destination
        self.descr = descr
        self.disabled = disabled
        self.log = log
        self.floating = floating
        self.quick = quick
        self.direction = direction
        self.stateType = stateType
        self.noPfsync = noPfsync
        self.noSync = noSync
        self.gateway = gateway
        self.associatedRuleID = associatedRuleID
        self.schedule = schedule
        self.tag = tag
        self.tagged = tagged
        self.allowOptions = allowOptions
        self.disableReplyTo = disableReplyTo
        self.maxStates = maxStates
        self.maxSourceNodes = maxSourceNodes
        self.maxSourceConnections = maxSourceConnections
        self.maxSourceStates = maxSourceStates
        self.stateTimeout = stateTimeout
        self.created = created
        self.updated = updated
        self.location = location
    }

    /// Whether the rule stops evaluation on match: interface-tab rules always do; floating
    /// rules only with `quick`.
    public var isQuick: Bool { !floating || quick }
}

/// `ipprotocol`: which families a rule applies to.
public enum IPProtocolFamily: String, Sendable, Hashable, CaseIterable {
    case inet
    case inet6
    case inet46

    public func includes(_ family: IPFamily) -> Bool {
        switch self {
        case .inet: family == .ipv4
        case .inet6: family == .ipv6
        case .inet46: true
        }
    }
}

/// `protocol`: absent means any.
public enum RuleProtocol: Sendable, Hashable, CustomStringConvertible {
    case tcp
    case udp
    case tcpUDP
    case icmp
    case icmpv6
    /// Any other protocol name pfSense accepts (`carp`, `pfsync`, `gre`, `esp`, …).
    case named(String)

    public init(_ text: String) {
        switch text.lowercased() {
        case "tcp": self = .tcp
        case "udp": self = .udp
        case "tcp/udp": self = .tcpUDP
        case "icmp": self = .icmp
        case "ipv6-icmp", "icmp6", "icmpv6": self = .icmpv6
        default: self = .named(text.lowercased())
        }
    }

    public var description: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .tcpUDP: "tcp/udp"
        case .icmp: "icmp"
        case .icmpv6: "ipv6-icmp"
        case .named(let n): n
        }
    }

    /// Whether a port match makes sense.
    public var hasPorts: Bool { self == .tcp || self == .udp || self == .tcpUDP }
}

/// A rule's `source` or `destination`: what to match, an optional port and `<not/>`.
public struct RuleEndpoint: Sendable, Hashable {
    public var address: EndpointAddress
    public var port: PortSpec?
    public var negated: Bool

    public init(address: EndpointAddress = .any, port: PortSpec? = nil, negated: Bool = false) {
        self.address = address
        self.port = port
        self.negated = negated
    }
}

/// The address part of a rule endpoint (`util.inc` `pconfig_to_address()`).
public enum EndpointAddress: Sendable, Hashable, CustomStringConvertible {
    /// `<any/>`, or no address element.
    case any
    /// `<network>lan</network>`: the interface's subnet.
    case interfaceNetwork(String)
    /// `<network>lanip</network>`: the interface's own address.
    case interfaceAddress(String)
    /// `<network>(self)</network>`: every address of this firewall.
    case thisFirewall
    /// `<address>` holding an address or a CIDR prefix.
    case network(IPNetwork)
    /// `<address>` or `<network>` holding an alias name (or a VIP key): resolved later.
    case alias(String)

    public var description: String {
        switch self {
        case .any: "any"
        case .interfaceNetwork(let i): i
        case .interfaceAddress(let i): i + "ip"
        case .thisFirewall: "(self)"
        case .network(let n): n.isHost ? n.address.description : n.description
        case .alias(let a): a
        }
    }
}
