import TandemAddress

extension ConfigValidator {
    /// The `synchronize*` toggles `rc.filter_synchronize` tests (pfsense-config.md §10).
    static let knownToggles: Set<String> = [
        "synchronizerules", "synchronizeschedules", "synchronizenat", "synchronizealiases", "synchronizedhcpd",
        "synchronizekea6", "synchronizedhcrelay", "synchronizedhcrelay6", "synchronizewol",
        "synchronizetrafficshaper", "synchronizetrafficshaperlimiter", "synchronizestaticroutes",
        "synchronizevirtualip", "synchronizeipsec", "synchronizeopenvpn", "synchronizecerts", "synchronizeusers",
        "synchronizeauthservers", "synchronizednsforwarder", "synchronizecaptiveportal",
    ]

    mutating func checkHASync() {
        guard let h = config.hasync else { return }
        let l = h.location
        var syncNetwork: IPNetwork?
        if let name = h.pfsyncInterface {
            checkInterfaceReference(name, l, "pfsyncinterface")
            syncNetwork = interfaces[name]?.ipv4.network
            // pfSense and OPNsense need only the device (pfsync(4) takes `syncdev`); Tandem's
            // state sync binds to the interface's static address, so without one it does not
            // start, and the rest of the config still applies.
            if let iface = interfaces[name], syncNetwork == nil, iface.ipv6.network == nil, h.pfsyncEnabled {
                warning("sync interface '\(name)' has no static address: state sync is not started (Tandem binds it to that address)", l, "pfsyncinterface")
            }
        } else if h.pfsyncEnabled {
            error("state sync is enabled but <pfsyncinterface> is not set", l, "pfsyncenabled")
        }
        if let peer = h.pfsyncUnicastPeer {
            if peer.family != .ipv4 {
                error("pfsync peer \(peer) must be an IPv4 address", l, "pfsyncpeerip")
            } else if let n = syncNetwork, !n.contains(peer) {
                error("pfsync peer \(peer) is not on the sync interface's subnet \(n.masked)", l, "pfsyncpeerip")
            } else if let n = syncNetwork, n.address == peer {
                error("pfsync peer \(peer) is this node's own address", l, "pfsyncpeerip")
            }
        }
        if let target = h.synchronizeToIP {
            if let a = IPAddress(target) {
                if let n = syncNetwork, a.family == .ipv4, !n.contains(a) {
                    error("XML-RPC peer \(a) is not on the sync interface's subnet \(n.masked)", l, "synchronizetoip")
                } else if nodeAddresses.contains(a) {
                    error("XML-RPC peer \(a) is an address of this node", l, "synchronizetoip")
                }
            } else if !(target.hasPrefix("https://") || target.hasPrefix("http://")) {
                error("'\(target)' is neither an IP address nor a URL", l, "synchronizetoip")
            }
            if (h.password ?? "").isEmpty {
                error("XML-RPC sync to \(target) needs a <password>", l, "password")
            }
        }
        if let id = h.pfHostID {
            let hex = id.hasPrefix("0x") ? String(id.dropFirst(2)) : id
            if hex.isEmpty || hex.count > 8 || !hex.allSatisfy(\.isHexDigit) || UInt32(hex, radix: 16) == 0 {
                error("pfhostid '\(id)' is not a non-zero hex number of at most 8 digits", l, "pfhostid")
            }
        }
        for toggle in h.toggles where h.modelVersion == nil && !Self.knownToggles.contains(toggle.name) && toggle.enabled {
            warning("sync toggle <\(toggle.name)> is not one pfSense knows: kept but ignored", l, toggle.name)
        }
        if h.pfsyncEnabled, config.carpVIPs.isEmpty {
            warning("state sync is enabled but there are no CARP VIPs", l, "pfsyncenabled")
        }
    }
}
