import TandemAddress

extension ConfigValidator {
    /// Bytes of a CARP password that reach the wire (carp.md §2).
    static let carpKeyLength = 19

    mutating func checkVirtualIPs() {
        var vhids: [String: [Int: String]] = [:]   // interface → vhid → path of first use
        var uniqids: Set<String> = []
        for vip in config.virtualIPs {
            let l = vip.location
            if let u = vip.uniqid, !uniqids.insert(u).inserted {
                error("uniqid '\(u)' is used by another VIP", l, "uniqid")
            }
            guard let attachment = vip.attachment else {
                error("VIP has no <interface>", l, "interface")
                continue
            }
            var interfaceName: String?
            switch attachment {
            case .interface(let name):
                if name == "lo0" { break }
                checkInterfaceReference(name, l, "interface")
                interfaceName = name
            case .stacked(let uniqid):
                guard let parent = vipsByUniqid[uniqid], parent.mode == .carp else {
                    error("'_vip\(uniqid)' does not name a CARP VIP (no CARP VIP has uniqid \(uniqid))", l, "interface")
                    break
                }
                if vip.mode == .carp {
                    error("a CARP VIP cannot be stacked on another VIP", l, "interface")
                }
                interfaceName = parent.interfaceName(in: config)
            }
            guard let address = vip.address else {
                if !vip.location.has("subnet") { error("VIP has no <subnet> address", l, "subnet") }
                continue
            }
            let iface = interfaceName.flatMap { interfaces[$0] }
            let ifaceNetwork = iface?.networks.first { $0.family == address.family }
            if let bits = vip.prefixLength, IPNetwork(address: address, prefixLength: bits) == nil {
                error("'\(bits)' is not a prefix length for \(address)", l, "subnet_bits")
            }
            switch vip.mode {
            case .carp:
                checkCARP(vip, address: address, interface: interfaceName, ifaceNetwork: ifaceNetwork, vhids: &vhids)
            case .ipalias:
                if let n = ifaceNetwork, let bits = vip.prefixLength, n.contains(address), bits != n.prefixLength,
                   bits != address.family.bitWidth {
                    error("subnet_bits \(bits) differs from the interface prefix /\(n.prefixLength)", l, "subnet_bits")
                }
            case .proxyarp, .other:
                warning("\(vip.mode.rawValue) VIP \(address) is read but not applied", l, "mode")
            }
        }
    }

    private mutating func checkCARP(_ vip: VirtualIP, address: IPAddress, interface: String?, ifaceNetwork: IPNetwork?,
                                    vhids: inout [String: [Int: String]]) {
        let l = vip.location
        if let vhid = vip.vhid {
            if !(1...255).contains(vhid) {
                error("vhid \(vhid) is outside 1-255", l, "vhid")
            } else if let interface {
                if let other = vhids[interface]?[vhid] {
                    error("vhid \(vhid) is already used on interface '\(interface)' by \(other)", l, "vhid")
                } else {
                    vhids[interface, default: [:]][vhid] = l.path
                }
            }
        } else {
            error("CARP VIP has no <vhid>", l, "vhid")
        }
        if let skew = vip.advskew, !(0...254).contains(skew) {
            error("advskew \(skew) is outside 0-254", l, "advskew")
        }
        // pfSense requires advbase ≥ 1; 0 (OpenBSD's sub-second timing) only under the
        // `<tandem><carp_subsecond/>` opt-in, so a pfSense file never reaches it.
        if let base = vip.advbase, !(1...254).contains(base) {
            if base == 0 && !config.carpSubsecond {
                error("advbase 0 needs <tandem><carp_subsecond/></tandem> (sub-second CARP, only OpenBSD-style peers and Tandem nodes accept it)", l, "advbase")
            } else if base != 0 {
                error("advbase \(base) is outside \(config.carpSubsecond ? 0 : 1)-254 seconds", l, "advbase")
            }
        }
        let key = (vip.password ?? "").filter { $0 != " " }
        if key.isEmpty {
            error("CARP VIP has no <password>", l, "password")
        } else if key.utf8.count > Self.carpKeyLength {
            warning("CARP password is \(key.utf8.count) bytes: only the first \(Self.carpKeyLength) are used", l, "password")
        }
        guard let interface else { return }
        // The products need only the device (a CARP VIP on a DHCP-addressed WAN is
        // common): advertisements then leave from whatever address the kernel picks.
        guard let n = ifaceNetwork else {
            if vip.prefixLength == nil { error("CARP VIP has no <subnet_bits>", l, "subnet_bits") }
            return
        }
        if address == n.address {
            error("CARP VIP \(address) is the interface's own address", l, "subnet")
        } else if n.contains(address) {
            if let bits = vip.prefixLength, bits != n.prefixLength {
                // A VIP mask other than the interface's broke DHCP failover (opnsense/core#2074).
                error("subnet_bits \(bits) must equal the prefix of interface '\(interface)' (/\(n.prefixLength))", l, "subnet_bits")
            } else if vip.prefixLength == nil {
                error("CARP VIP has no <subnet_bits>", l, "subnet_bits")
            }
        } else if !aliasSubnets(on: interface).contains(where: { $0.contains(address) }) {
            // pfSense's GUI refuses this ("could not locate an interface with a matching
            // subnet"), but the address can still be added with its own prefix and advertised.
            warning("CARP VIP \(address) is not inside the subnet \(n.masked) of interface '\(interface)' nor an IP alias subnet there; it is added with its own prefix", l, "subnet")
        }
    }

    /// Subnets of the IP alias VIPs on an interface (pfSense accepts a CARP VIP inside one).
    private func aliasSubnets(on interface: String) -> [IPNetwork] {
        config.virtualIPs.filter { $0.mode == .ipalias && $0.attachment == .interface(interface) }.compactMap(\.network)
    }
}
