/// An address with a prefix length, as written in config.xml (`192.0.2.1` + `<subnet>24`)
/// or in CIDR form (`192.0.2.0/24`). The address keeps its host bits: an interface address
/// and its subnet are one value; `network` gives the masked form.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.family.bitWidth else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `ADDR/LEN` or a bare address (a host prefix).
    /// The text is cut at the `/` byte on a concrete `String`: a generic `split` was a third
    /// of the time spent reading a 100,000-entry alias.
    public init?(_ text: some StringProtocol) {
        let s = String(text)
        let utf8 = s.utf8
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else {
            guard let address = IPAddress(s) else { return nil }
            self.init(address: address, prefixLength: address.family.bitWidth)
            return
        }
        let length = utf8[utf8.index(after: slash)...]
        // One to three ASCII digits (a second `/` is not a digit).
        guard !length.isEmpty, length.count <= 3,
              length.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let address = IPAddress(s[..<slash]) else { return nil }
        let n = length.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        self.init(address: address, prefixLength: n)
    }

    public var family: IPFamily { address.family }

    /// The first address of the prefix (host bits cleared).
    public var network: IPAddress {
        switch address {
        case .v4(let a):
            return .v4(IPv4Address(a.value & Self.mask4(prefixLength)))
        case .v6(let a):
            let (mh, ml) = Self.mask6(prefixLength)
            return .v6(IPv6Address(high: a.high & mh, low: a.low & ml))
        }
    }

    /// The last address of the prefix.
    public var last: IPAddress {
        switch address {
        case .v4(let a):
            return .v4(IPv4Address(a.value | ~Self.mask4(prefixLength)))
        case .v6(let a):
            let (mh, ml) = Self.mask6(prefixLength)
            return .v6(IPv6Address(high: a.high | ~mh, low: a.low | ~ml))
        }
    }

    /// The prefix with host bits cleared, as a network value.
    public var masked: IPNetwork { IPNetwork(address: network, prefixLength: prefixLength)! }

    public func contains(_ other: IPAddress) -> Bool {
        guard other.family == family else { return false }
        return IPNetwork(address: other, prefixLength: prefixLength)!.network == network
    }

    public var isHost: Bool { prefixLength == family.bitWidth }

    public var description: String { "\(address)/\(prefixLength)" }

    static func mask4(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }

    static func mask6(_ length: Int) -> (UInt64, UInt64) {
        if length == 0 { return (0, 0) }
        if length <= 64 { return (UInt64.max << UInt64(64 - length), 0) }
        if length == 128 { return (UInt64.max, UInt64.max) }
        return (UInt64.max, UInt64.max << UInt64(128 - length))
    }
}
