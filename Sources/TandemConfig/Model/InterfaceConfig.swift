import TandemAddress

/// How an interface gets an address of one family: `ipaddr`+`subnet` or
/// `ipaddrv6`+`subnetv6` (pfsense-config.md §3).
public enum InterfaceAddressing: Sendable, Hashable {
    /// No element, or an empty one.
    case none
    /// A static address with its prefix length (the address keeps its host bits).
    case `static`(IPNetwork)
    /// A keyword Tandem reads but does not configure: `dhcp`, `pppoe`, `track6`, `dhcp6`, …
    case dynamic(String)

    public var network: IPNetwork? {
        if case .static(let n) = self { return n }
        return nil
    }
}

/// `<interfaces><NAME>`.
public struct InterfaceConfig: Sendable, Hashable {
    /// Internal name: `wan`, `lan`, `opt1`… — the key sync uses, so it must match on both nodes.
    public var name: String
    /// `<if>`: the device (`em0`, `igb0.100`, `wan0`).
    public var device: String?
    public var descr: String?
    public var enabled: Bool
    public var ipv4: InterfaceAddressing
    public var ipv6: InterfaceAddressing
    /// Gateway names from `<gateways>`.
    public var gateway: String?
    public var gatewayV6: String?
    public var blockPrivate: Bool
    public var blockBogons: Bool
    public var spoofMAC: String?
    public var mtu: Int?
    public var location: SourceLocation

    public init(name: String, device: String? = nil, descr: String? = nil, enabled: Bool = true,
                ipv4: InterfaceAddressing = .none, ipv6: InterfaceAddressing = .none,
                gateway: String? = nil, gatewayV6: String? = nil, blockPrivate: Bool = false,
                blockBogons: Bool = false, spoofMAC: String? = nil, mtu: Int? = nil,
                location: SourceLocation? = nil) {
        self.name = name
        self.device = device
        self.descr = descr
        self.enabled = enabled
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.gateway = gateway
        self.gatewayV6 = gatewayV6
        self.blockPrivate = blockPrivate
        self.blockBogons = blockBogons
        self.spoofMAC = spoofMAC
        self.mtu = mtu
        self.location = location ?? SourceLocation(path: "interfaces/\(name)")
    }

    /// The display name pfSense shows: `descr` if set, else the upper-cased internal name.
    public var displayName: String { (descr?.isEmpty == false ? descr : nil) ?? name.uppercased() }

    /// Static addresses of both families.
    public var networks: [IPNetwork] { [ipv4.network, ipv6.network].compactMap { $0 } }
}
