/// Which top-level sections an XML-RPC push sends and how the peer merges them, per
/// pfSense's `rc.filter_synchronize` and `xmlrpc.php` (xmlrpc-sync.md §3–§5). Pure data plus
/// the `nosync` strip, so the sync client and server share one table.
public enum SyncSections {
    /// Toggle → section paths, in `rc.filter_synchronize` order (§3). Sections marked
    /// optional are sent only when present in the config.
    public static let byToggle: [(toggle: String, sections: [String])] = [
        ("synchronizeusers", ["system/user", "system/nextuid", "system/group", "system/nextgid"]),
        ("synchronizeauthservers", ["system/authserver"]),
        ("synchronizecerts", ["cert", "ca", "crl"]),
        ("synchronizestaticroutes", ["staticroutes", "gateways"]),
        ("synchronizevirtualip", ["virtualip"]),
        ("synchronizerules", ["filter", "schedules"]),
        ("synchronizeschedules", ["schedules"]),
        ("synchronizenat", ["nat"]),
        ("synchronizealiases", ["aliases"]),
        ("synchronizedhcpd", ["dhcpd", "kea"]),
        ("synchronizekea6", ["dhcpdv6", "kea6"]),
        ("synchronizedhcrelay", ["dhcrelay"]),
        ("synchronizedhcrelay6", ["dhcrelay6"]),
        ("synchronizewol", ["wol"]),
        ("synchronizetrafficshaper", ["shaper"]),
        ("synchronizetrafficshaperlimiter", ["dnshaper"]),
        ("synchronizeipsec", ["ipsec"]),
        ("synchronizeopenvpn", ["openvpn", "cert", "ca", "crl"]),
        ("synchronizednsforwarder", ["dnsmasq", "unbound"]),
        ("synchronizecaptiveportal", ["captiveportal", "voucher"]),
    ]

    /// Sections the receiver replaces wholesale (deleting the last item still syncs); every
    /// other section is merged recursively (§5.3).
    public static let fullReplace: Set<String> = [
        "aliases", "ca", "cert", "crl", "dhcpd", "dhcrelay", "dhcrelay6", "dnshaper", "dnsmasq", "filter", "ipsec",
        "kea", "kea6", "nat", "openvpn", "schedules", "shaper", "unbound", "wol",
    ]

    /// Never sent, whatever the toggles say (§4).
    public static let neverSent: Set<String> = [
        "interfaces", "hasync", "syslog", "snmpd", "cron", "sysctl", "revision", "version",
    ]

    /// Lists whose items carry `<nosync/>` and stay off the sync (§4 step 3): parent path and
    /// item element name.
    public static let noSyncLists: [(parent: String, item: String)] = [
        ("nat/outbound", "rule"), ("nat", "rule"), ("filter", "rule"), ("aliases", "alias"),
        ("dnsmasq", "hosts"), ("ipsec", "tunnel"),
    ]

    /// The section paths a push from this config sends, in order, without duplicates: the
    /// enabled toggles' sections that exist in the document. Empty when `synchronizetoip` is
    /// not set (every secondary) or no toggle is on.
    public static func sections(for hasync: HASync?, in root: XMLElement) -> [String] {
        guard let hasync, hasync.pushesConfig else { return [] }
        var result: [String] = []
        for (toggle, sections) in byToggle where hasync.isEnabled(toggle) {
            for section in sections where !result.contains(section) && root.descendant(section) != nil {
                result.append(section)
            }
        }
        return result
    }

    /// A copy of a top-level section with its `nosync` items removed (a `<nosync>0</nosync>`
    /// item is synced, as OPNsense MVC writes false).
    public static func strippingNoSync(_ section: XMLElement) -> XMLElement {
        var copy = section
        for (parent, item) in noSyncLists {
            let parts = parent.split(separator: "/").map(String.init)
            guard parts.first == section.name else { continue }
            copy.filterItems(at: parts.dropFirst(), named: item)
        }
        return copy
    }
}

extension XMLElement {
    fileprivate mutating func filterItems(at path: ArraySlice<String>, named item: String) {
        if let next = path.first {
            for i in children.indices {
                guard case .element(var child) = children[i], child.name == next else { continue }
                child.filterItems(at: path.dropFirst(), named: item)
                children[i] = .element(child)
            }
            return
        }
        var kept: [XMLNode] = []
        for node in children {
            if case .element(let e) = node, e.name == item, ItemReader.flag(e.child("nosync")) {
                // Drop the layout text that introduced the dropped item as well.
                if let last = kept.last, last.isLayout { kept.removeLast() }
                continue
            }
            kept.append(node)
        }
        children = kept
    }
}
