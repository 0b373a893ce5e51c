import TandemAddress

/// One CARP virtual host (a pfSense `<vip>` with mode `carp`):
/// a vhid on one interface with its timing, key and virtual addresses.
public struct CarpGroupConfig: Sendable, Hashable {
    public var vhid: UInt8
    /// The parent interface the advertisements go out on and the VIPs are added to.
    public var interface: String
    /// Seconds; 1–255, or 0 with `allowsSubsecond` (OpenBSD style).
    public var advbase: UInt8
    /// 1/256 s units, 0–254 (the BSD ioctl rejects 255).
    public var advskew: UInt8
    public var key: CarpKey
    /// VIPs with the interface prefix (pfSense requires `subnet_bits` = interface prefix).
    public var addresses: [IPNetwork]
    /// Take over from a slower master. pfSense always sets `net.inet.carp.preempt=1`
    /// (`interfaces_sync_setup()`), so it is on by default; OPNsense's `disablepreempt` turns
    /// it off for the whole node (FreeBSD's sysctl is global).
    public var preempt: Bool
    /// Opt-in for advbase 0, which only OpenBSD accepts; FreeBSD/pfSense peers reject it.
    public var allowsSubsecond: Bool

    public init(vhid: UInt8, interface: String, advbase: UInt8 = 1, advskew: UInt8 = 0, key: CarpKey,
                addresses: [IPNetwork], preempt: Bool = true, allowsSubsecond: Bool = false) throws(CarpConfigError) {
        guard vhid >= 1 else { throw .vhidOutOfRange(vhid) }
        guard advbase >= 1 || allowsSubsecond else { throw .advbaseZeroWithoutSubsecond(vhid: vhid) }
        guard advskew <= CarpTiming.maximumConfiguredSkew else { throw .advskewOutOfRange(vhid: vhid, advskew) }
        guard !addresses.isEmpty else { throw .noAddresses(vhid: vhid) }
        guard !interface.isEmpty else { throw .noInterface(vhid: vhid) }
        self.vhid = vhid
        self.interface = interface
        self.advbase = advbase
        self.advskew = advskew
        self.key = key
        self.addresses = addresses
        self.preempt = preempt
        self.allowsSubsecond = allowsSubsecond
    }

    /// The VIPs without prefixes, as the HMAC covers them.
    public var vipAddresses: [IPAddress] { addresses.map(\.address) }

    /// The address families advertised: a vhid with any IPv6 VIP is also advertised over
    /// IPv6, as FreeBSD does.
    public var families: Set<IPFamily> { Set(addresses.map(\.family)) }
}

public enum CarpConfigError: Error, Equatable, CustomStringConvertible {
    case vhidOutOfRange(UInt8)
    case advbaseZeroWithoutSubsecond(vhid: UInt8)
    case advskewOutOfRange(vhid: UInt8, UInt8)
    case noAddresses(vhid: UInt8)
    case noInterface(vhid: UInt8)

    public var description: String {
        switch self {
        case .vhidOutOfRange(let v): "CARP vhid \(v): expected 1–255"
        case .advbaseZeroWithoutSubsecond(let v): "CARP vhid \(v): advbase 0 needs sub-second mode enabled (only OpenBSD peers accept it)"
        case .advskewOutOfRange(let v, let s): "CARP vhid \(v): advskew \(s), expected 0–254"
        case .noAddresses(let v): "CARP vhid \(v): expected at least one virtual address"
        case .noInterface(let v): "CARP vhid \(v): expected a parent interface"
        }
    }
}
