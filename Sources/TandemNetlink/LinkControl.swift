import TandemAddress

/// The node's view of its interfaces and addresses, and the changes it may make to them
/// (DESIGN.md "link adapter"). `Rtnetlink` is the real implementation; the daemon's tests
/// use a fake. Interface indexes are the kernel's `ifindex`.
public protocol LinkControl: Sendable {
    func links() throws -> [LinkInfo]
    func addresses() throws -> [InterfaceAddress]
    /// Adds `address` with its real prefix length (carp.md §12: not /32); IPv6 without DAD.
    /// Throws `NetlinkError` with errno EEXIST when exactly this address is present.
    func addAddress(_ address: IPNetwork, interfaceIndex: Int32) throws
    /// Removes exactly `address` with this prefix length; an address with the same IP but
    /// another prefix is left alone (carp.md §13 item 4). Throws EADDRNOTAVAIL when absent.
    func removeAddress(_ address: IPNetwork, interfaceIndex: Int32) throws
    /// Sets IFF_UP.
    func setLinkUp(interfaceIndex: Int32) throws
    /// Writes one sysctl of the current network namespace (`net.ipv4.conf.wan0.arp_announce`
    /// is `["net", "ipv4", "conf", "wan0", "arp_announce"]`: components, because interface
    /// names may contain dots).
    func writeSysctl(_ components: [String], value: String) throws
}

extension LinkControl {
    public func link(named name: String) throws -> LinkInfo? {
        try links().first { $0.name == name }
    }

    public func addresses(onInterface index: Int32) throws -> [InterfaceAddress] {
        try addresses().filter { $0.interfaceIndex == index }
    }

    /// Adds `address` unless exactly it (same IP and prefix) is present. Returns whether
    /// it added it. A VIP re-added after a missed removal is not an error.
    @discardableResult
    public func ensureAddress(_ address: IPNetwork, interfaceIndex: Int32) throws -> Bool {
        do {
            try addAddress(address, interfaceIndex: interfaceIndex)
            return true
        } catch let error as NetlinkError where error.errno == EEXIST {
            return false
        }
    }

    /// Removes exactly `address` if present. Returns whether it removed it.
    @discardableResult
    public func dropAddress(_ address: IPNetwork, interfaceIndex: Int32) throws -> Bool {
        do {
            try removeAddress(address, interfaceIndex: interfaceIndex)
            return true
        } catch let error as NetlinkError where error.errno == EADDRNOTAVAIL || error.errno == ENOENT || error.errno == ESRCH {
            return false
        }
    }

    /// Gives the interface `name` the addresses the config names for it: brings it up and
    /// adds those not yet there. Addresses already on the interface that the config does
    /// not name are left alone (an admin's own address is never removed). Returns the
    /// addresses added.
    @discardableResult
    public func configureInterface(named name: String, addresses wanted: [IPNetwork]) throws -> [IPNetwork] {
        guard let link = try link(named: name) else {
            throw NetlinkError("configure interface", errno: ENODEV, context: "interface \(name)")
        }
        if !link.isAdminUp { try setLinkUp(interfaceIndex: link.index) }
        let present = Set(try addresses(onInterface: link.index).map(\.network))
        var added: [IPNetwork] = []
        for address in wanted where !present.contains(address) {
            if try ensureAddress(address, interfaceIndex: link.index) { added.append(address) }
        }
        return added
    }
}

#if canImport(Glibc)
import Glibc
#endif
