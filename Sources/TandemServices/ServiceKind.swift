/// The daemons Tandem renders and supervises (DESIGN.md "service supervisor"), in start
/// order: the resolver before the DHCP server that hands its address out.
public enum ServiceKind: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Unbound, from `<unbound>`.
    case dns = "unbound"
    /// Kea DHCPv4 (`kea-dhcp4`), from `<dhcpd>`.
    case dhcp4 = "kea-dhcp4"
    /// chrony, from `system/timeservers`.
    case ntp = "chronyd"

    public var description: String { rawValue }
}
