/// An IPv4 or IPv6 address.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public init?(_ text: some StringProtocol) {
        if let a = IPv4Address(text) {
            self = .v4(a)
        } else if let a = IPv6Address(text) {
            self = .v6(a)
        } else {
            return nil
        }
    }

    public var family: IPFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): a.bytes
        case .v6(let a): a.bytes
        }
    }
}

public enum IPFamily: String, Sendable, Hashable, CaseIterable {
    case ipv4
    case ipv6

    public var bitWidth: Int { self == .ipv4 ? 32 : 128 }
}
