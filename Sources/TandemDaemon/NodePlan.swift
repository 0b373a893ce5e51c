import TandemAddress
import TandemConfig
import TandemCARP

/// What the daemon makes of a config for the link layer (pure): interface addresses, the
/// CARP groups and the sysctls. The compiler's Plan will carry the ruleset; this is the
/// part the daemon reconciles through the link adapter.
public struct NodePlan: Sendable, Equatable {
    /// Device name → static addresses from `<interfaces>` (pfsense-config.md §3).
    public var interfaceAddresses: [InterfaceAddressPlan]
    public var carpGroups: [CarpGroupPlan]
    public var maintenance: Bool
    public var sysctls: [SysctlSetting]
    public var hostname: String?
    /// The config's `<tandem><carp_subsecond/>` opt-in: advbase 0 is accepted and the
    /// machines run OpenBSD-style sub-second timing (advskew/256 s).
    public var carpSubsecond: Bool
    /// FreeBSD's `net.inet.carp.preempt`: a BACKUP takes over from a slower MASTER. pfSense
    /// always sets it to 1 (`interfaces_sync_setup()`); OPNsense's `<hasync><disablepreempt>`
    /// sets it to 0 (carp.md §8), which Tandem maps to every vhid's machine.
    public var carpPreempt: Bool

    public init(interfaceAddresses: [InterfaceAddressPlan], carpGroups: [CarpGroupPlan], maintenance: Bool,
                sysctls: [SysctlSetting], hostname: String?, carpSubsecond: Bool = false, carpPreempt: Bool = true) {
        self.carpSubsecond = carpSubsecond
        self.carpPreempt = carpPreempt
        self.interfaceAddresses = interfaceAddresses
        self.carpGroups = carpGroups
        self.maintenance = maintenance
        self.sysctls = sysctls
        self.hostname = hostname
    }
}

public struct InterfaceAddressPlan: Sendable, Equatable {
    public var device: String
    public var addresses: [IPNetwork]
}

public struct SysctlSetting: Sendable, Equatable, CustomStringConvertible {
    public var components: [String]
    public var value: String
    public var description: String { components.joined(separator: ".") + "=" + value }
}

/// One CARP virtual host: the VIPs of one vhid on one interface (carp.md §2: the HMAC
/// covers every address of the vhid, so they advertise together).
public struct CarpGroupPlan: Sendable, Equatable, Hashable {
    public var device: String
    public var vhid: UInt8
    public var advbase: UInt8
    public var advskew: UInt8
    public var password: String
    public var addresses: [IPNetwork]
    /// The node's own address on the interface, the advertisement source (carp.md §1.1:
    /// an ordinary address of the parent interface, never the VIP).
    public var source: IPAddress?

    public var key: CarpGroupKey { CarpGroupKey(interface: device, vhid: vhid) }
}

/// A CARP group in the plan: the same identity the CARP node uses.
public typealias CarpGroupKey = CarpGroupID

/// Why a config cannot be planned; each names the config path it is about.
public struct PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

extension NodePlan {
    /// Plans `config`. Throws the first problem found; the validator should have caught
    /// all of them, this only refuses to act on what it cannot make sense of.
    public init(config: Config) throws(PlanError) {
        var interfaces: [InterfaceAddressPlan] = []
        var devices: [String: String] = [:]     // internal name → device
        for iface in config.interfaces where iface.enabled {
            guard let device = iface.device, !device.isEmpty else { continue }
            devices[iface.name] = device
            interfaces.append(InterfaceAddressPlan(device: device, addresses: iface.networks))
        }

        var groups: [CarpGroupKey: CarpGroupPlan] = [:]
        var order: [CarpGroupKey] = []
        for vip in config.carpVIPs {
            let path = vip.location.path
            guard let name = vip.interfaceName(in: config) else {
                throw PlanError(path: path, message: "CARP VIP has no interface")
            }
            guard let device = devices[name] else {
                throw PlanError(path: path, message: "interface '\(name)' is not an enabled interface with a device")
            }
            guard let vhid = vip.vhid, (1...255).contains(vhid) else {
                throw PlanError(path: path, message: "vhid \(vip.vhid.map(String.init) ?? "missing"), expected 1–255")
            }
            guard let network = vip.network else {
                throw PlanError(path: path, message: "CARP VIP needs an address and subnet_bits")
            }
            let advbase = vip.advbase ?? 1
            let advskew = vip.advskew ?? 0
            let lowest = config.carpSubsecond ? 0 : 1
            guard (lowest...255).contains(advbase) else {
                throw PlanError(path: path, message: "advbase \(advbase), expected \(lowest)–255"
                                + (advbase == 0 ? " (advbase 0 needs <tandem><carp_subsecond/>)" : ""))
            }
            guard (0...254).contains(advskew) else { throw PlanError(path: path, message: "advskew \(advskew), expected 0–254") }
            let key = CarpGroupKey(interface: device, vhid: UInt8(vhid))
            let password = vip.password ?? ""
            if var group = groups[key] {
                // pfSense gives every VIP of a vhid the same timing and password; differing
                // values would make the HMAC or the priority ambiguous.
                guard group.advbase == UInt8(advbase), group.advskew == UInt8(advskew), group.password == password else {
                    throw PlanError(path: path, message: "vhid \(vhid) on \(device) has differing advbase/advskew/password across its VIPs")
                }
                if !group.addresses.contains(network) { group.addresses.append(network) }
                groups[key] = group
            } else {
                let own = interfaces.first { $0.device == device }?.addresses ?? []
                let source = own.first { $0.family == network.family }?.address
                groups[key] = CarpGroupPlan(device: device, vhid: UInt8(vhid), advbase: UInt8(advbase),
                                            advskew: UInt8(advskew), password: password, addresses: [network],
                                            source: source)
                order.append(key)
            }
        }

        var sysctls: [SysctlSetting] = [
            // A firewall forwards (the reference scenario routes LAN ↔ WAN).
            SysctlSetting(components: ["net", "ipv4", "ip_forward"], value: "1"),
        ]
        for device in Set(order.map(\.interface)).sorted() {
            // Deleting a VIP that happens to be the primary address of its subnet must not
            // flush the secondaries (carp.md §12), and ARP requests should carry the best
            // local source for the target (arp_announce=2).
            sysctls.append(SysctlSetting(components: ["net", "ipv4", "conf", device, "promote_secondaries"], value: "1"))
            sysctls.append(SysctlSetting(components: ["net", "ipv4", "conf", device, "arp_announce"], value: "2"))
        }

        if config.hasync?.pfsyncEnabled == true {
            // State sync needs every conntrack event, and a mid-stream packet without an
            // entry must be dropped rather than start a fresh, differently NATed one.
            sysctls.append(SysctlSetting(components: ["net", "netfilter", "nf_conntrack_events"], value: "1"))
            sysctls.append(SysctlSetting(components: ["net", "netfilter", "nf_conntrack_tcp_loose"], value: "0"))
        }

        self.init(interfaceAddresses: interfaces, carpGroups: order.map { groups[$0]! },
                  maintenance: config.carpMaintenanceMode, sysctls: sysctls, hostname: config.system.hostname,
                  carpSubsecond: config.carpSubsecond, carpPreempt: !(config.hasync?.disablePreempt ?? false))
    }
}

extension NodePlan {
    /// What the CARP packet I/O is opened for (`LinuxCarpSocketSet(plan:)`): per interface,
    /// the VIP families and the advertisement source. Plans of the same shape share sockets,
    /// so a reload between them reconfigures CARP instead of restarting it.
    var carpSocketShape: [String: String] {
        var families: [String: Set<String>] = [:]
        var sources: [String: String] = [:]
        for group in carpGroups {
            families[group.device, default: []].formUnion(group.addresses.map { "\($0.family)" })
            if let source = group.source { sources[group.device] = source.description }
        }
        return families.mapValues { $0.sorted().joined(separator: ",") }
            .merging(sources.mapValues { " from " + $0 }) { $0 + $1 }
    }
}
