import TandemAddress

/// `<virtualip><vip>` (pfsense-config.md §9).
public struct VirtualIP: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case carp
        case ipalias
        case proxyarp
        case other
    }

    /// `interface`: a real interface, or `_vip<uniqid>` to stack an IP alias on a CARP VIP
    /// so it follows that VIP's CARP state.
    public enum Attachment: Sendable, Hashable, CustomStringConvertible {
        case interface(String)
        case stacked(uniqid: String)

        public init(_ text: String) {
            if text.hasPrefix("_vip"), text.count > 4 {
                self = .stacked(uniqid: String(text.dropFirst(4)))
            } else {
                self = .interface(text)
            }
        }

        public var description: String {
            switch self {
            case .interface(let name): name
            case .stacked(let uniqid): "_vip" + uniqid
            }
        }
    }

    public var mode: Mode
    public var attachment: Attachment?
    public var vhid: Int?
    public var advskew: Int?
    public var advbase: Int?
    /// CDATA; spaces are stripped before use, only the first 19 bytes reach the wire.
    public var password: String?
    /// `single` or `network`.
    public var type: String?
    /// `subnet`: the VIP address itself.
    public var address: IPAddress?
    /// `subnet_bits`: must equal the interface prefix.
    public var prefixLength: Int?
    public var descr: String?
    public var uniqid: String?
    public var noExpand: Bool
    /// OPNsense MVC extras: unicast CARP peers and `nosync`.
    public var peer: IPAddress?
    public var peer6: IPAddress?
    public var noSync: Bool
    public var location: SourceLocation

    public init(mode: Mode, attachment: Attachment? = nil, vhid: Int? = nil, advskew: Int? = nil,
                advbase: Int? = nil, password: String? = nil, type: String? = nil, address: IPAddress? = nil,
                prefixLength: Int? = nil, descr: String? = nil, uniqid: String? = nil, noExpand: Bool = false,
                peer: IPAddress? = nil, peer6: IPAddress? = nil, noSync: Bool = false, location: SourceLocation) {
        self.mode = mode
        self.attachment = attachment
        self.vhid = vhid
        self.advskew = advskew
        self.advbase = advbase
        self.password = password
        self.type = type
        self.address = address
        self.prefixLength = prefixLength
        self.descr = descr
        self.uniqid = uniqid
        self.noExpand = noExpand
        self.peer = peer
        self.peer6 = peer6
        self.noSync = noSync
        self.location = location
    }

    /// Address and prefix together, when both are valid.
    public var network: IPNetwork? {
        guard let address, let prefixLength else { return nil }
        return IPNetwork(address: address, prefixLength: prefixLength)
    }

    /// The real interface this VIP ends up on, following a `_vip` stack to its CARP VIP.
    public func interfaceName(in config: Config) -> String? {
        switch attachment {
        case .interface(let name): return name
        case .stacked(let uniqid):
            guard let parent = config.virtualIP(uniqid: uniqid), parent.uniqid != self.uniqid else { return nil }
            if case .interface(let name) = parent.attachment { return name }
            return nil
        case nil: return nil
        }
    }
}
