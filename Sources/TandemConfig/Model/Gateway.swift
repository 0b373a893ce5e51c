import TandemAddress

/// `<gateways><gateway_item>` (pfsense-config.md §4).
public struct Gateway: Sendable, Hashable {
    public enum Address: Sendable, Hashable {
        case ip(IPAddress)
        /// `dynamic`: learnt from DHCP/PPP on the interface.
        case dynamic
    }

    public var name: String
    public var interface: String?
    public var address: Address?
    public var ipProtocol: IPFamily?
    public var weight: Int?
    public var monitor: String?
    public var monitorDisabled: Bool
    /// Legacy `<defaultgw/>` flag (newer files use `gateways/defaultgw4|6`).
    public var isDefault: Bool
    /// `<disabled>`: kept as a name rules may still refer to, but not routed through.
    public var disabled: Bool = false
    /// Created by the product from an interface (`<DESCR>_DHCP`, …), not written in the file.
    public var implicit: Bool = false
    public var descr: String?
    public var location: SourceLocation

    public init(name: String, interface: String? = nil, address: Address? = nil, ipProtocol: IPFamily? = nil,
                weight: Int? = nil, monitor: String? = nil, monitorDisabled: Bool = false,
                isDefault: Bool = false, descr: String? = nil, location: SourceLocation) {
        self.name = name
        self.interface = interface
        self.address = address
        self.ipProtocol = ipProtocol
        self.weight = weight
        self.monitor = monitor
        self.monitorDisabled = monitorDisabled
        self.isDefault = isDefault
        self.descr = descr
        self.location = location
    }
}

/// `<staticroutes><route>`.
public struct StaticRoute: Sendable, Hashable {
    /// A CIDR or an alias name.
    public var network: AddressSpec?
    /// A gateway name.
    public var gateway: String?
    public var descr: String?
    public var disabled: Bool
    public var location: SourceLocation

    public init(network: AddressSpec? = nil, gateway: String? = nil, descr: String? = nil,
                disabled: Bool = false, location: SourceLocation) {
        self.network = network
        self.gateway = gateway
        self.descr = descr
        self.disabled = disabled
        self.location = location
    }
}
