import TandemConfig

/// How `restore_config_section` tells an unchanged VIP from a changed one: CARP VIPs keyed
/// `<interface>_vip<vhid>` with password + advskew + subnet + subnet_bits + advbase as the
/// fingerprint, IP aliases stacked on a CARP VIP (or on `lo0`) keyed by address with
/// interface + subnet + subnet_bits.
enum VIPFingerprint {
    struct Entry: Equatable {
        var content: String
        var interface: String
        var subnet: String
    }

    static func field(_ vip: XMLElement, _ name: String) -> String { vip.child(name)?.text ?? "" }

    static func isStackedOrLoopback(_ vip: XMLElement) -> Bool {
        let interface = field(vip, "interface")
        return interface.hasPrefix("_vip") || interface.contains("lo0")
    }

    /// The key and fingerprint of a VIP that has one (CARP, stacked or loopback IP alias).
    static func entry(_ vip: XMLElement) -> (key: String, entry: Entry)? {
        let mode = field(vip, "mode"), interface = field(vip, "interface"), subnet = field(vip, "subnet")
        if mode == "carp" {
            let content = field(vip, "password") + field(vip, "advskew") + subnet + field(vip, "subnet_bits") + field(vip, "advbase")
            return (interface + "_vip" + field(vip, "vhid"), Entry(content: content, interface: interface, subnet: subnet))
        }
        if mode == "ipalias", isStackedOrLoopback(vip) {
            return (subnet, Entry(content: interface + subnet + field(vip, "subnet_bits"), interface: interface, subnet: subnet))
        }
        return nil
    }

    static func table(_ vips: [XMLElement]) -> [String: Entry] {
        var result: [String: Entry] = [:]
        for vip in vips { if let (key, entry) = entry(vip) { result[key] = entry } }
        return result
    }

    /// A local VIP the push does not replace: an IP alias or proxy-ARP VIP on a real
    /// interface (node-specific addresses). pfSense's condition reads
    /// `(ipalias || proxyarp) && !_vip || lo0`; an IP alias on `lo0` is fingerprinted
    /// above instead, so only a proxy-ARP VIP on `lo0` takes the `|| lo0` branch.
    static func staysLocal(_ vip: XMLElement) -> Bool {
        let mode = field(vip, "mode"), interface = field(vip, "interface")
        if mode == "carp" { return false }
        if mode == "ipalias", isStackedOrLoopback(vip) { return false }
        return ((mode == "ipalias" || mode == "proxyarp") && !interface.hasPrefix("_vip")) || interface.contains("lo0")
    }

    /// The VIPs after the merge against the fingerprints from before it.
    static func changes(old: [String: Entry], new vips: [XMLElement]) -> VIPChanges {
        var remaining = old
        var changes = VIPChanges()
        var seen: Set<String> = []
        for vip in vips {
            guard let (key, entry) = entry(vip) else { continue }
            guard seen.insert(key).inserted else { continue }
            if let before = remaining[key] {
                remaining[key] = nil
                if before.content == entry.content {
                    changes.unchanged.append(key)
                    continue
                }
            }
            changes.configured.append(key)
        }
        changes.removed = remaining.sorted { $0.key < $1.key }
            .map { VIPChanges.RemovedVIP(key: $0.key, interface: $0.value.interface, address: $0.value.subnet) }
        return changes
    }
}

/// Interfaces the merged sections name that this node does not have: the nodes' interface
/// assignments differ (pfSense warns about "Incorrect Interface Order"; OPNsense issue
/// #8971 shows scopes shifted by one), which a push cannot fix and the operator must.
enum InterfaceReferences {
    /// Names that are not assignments: pseudo-interfaces and pfSense's floating-rule words.
    static let pseudo: Set<String> = ["", "any", "lo0", "enc0", "openvpn", "l2tp", "pppoe", "wireguard", "ipsec", "(self)"]

    static func missing(in root: XMLElement, sections: Set<String>) -> [String] {
        var known = Set((root.child("interfaces")?.elements ?? []).map(\.name))
        known.formUnion((root.child("ifgroups")?.children("ifgroupentry") ?? []).compactMap { $0.child("ifname")?.text })
        var found: [(path: String, name: String)] = []
        func check(_ element: XMLElement?, path: String) {
            guard let element else { return }
            for name in element.text.split(separator: ",").map({ String($0).trimmed }) where !name.hasPrefix("_vip") {
                if !known.contains(name), !pseudo.contains(name) { found.append((path, name)) }
            }
        }
        if sections.contains("virtualip") {
            for (i, vip) in (root.child("virtualip")?.children("vip") ?? []).enumerated() {
                check(vip.child("interface"), path: "virtualip/vip[\(i + 1)]/interface")
            }
        }
        if sections.contains("filter") {
            for (i, rule) in (root.child("filter")?.children("rule") ?? []).enumerated() {
                check(rule.child("interface"), path: "filter/rule[\(i + 1)]/interface")
            }
        }
        if sections.contains("nat") {
            for (i, rule) in (root.child("nat")?.children("rule") ?? []).enumerated() {
                check(rule.child("interface"), path: "nat/rule[\(i + 1)]/interface")
            }
            for (i, rule) in (root.descendant("nat/outbound")?.children("rule") ?? []).enumerated() {
                check(rule.child("interface"), path: "nat/outbound/rule[\(i + 1)]/interface")
            }
        }
        for section in ["dhcpd", "dhcpdv6"] where sections.contains(section) {
            for scope in root.child(section)?.elements ?? [] where !known.contains(scope.name) {
                found.append((section + "/" + scope.name, scope.name))
            }
        }
        return found.map {
            "\($0.path): interface '\($0.name)' does not exist on this node; the nodes' interface assignments differ"
        }
    }
}
