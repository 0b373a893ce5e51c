import TandemAddress

extension ConfigValidator {
    mutating func checkDHCP() {
        // Disabled scopes are kept as data only (pfSense leaves stale ones behind).
        for scope in config.dhcpd where scope.enabled {
            let l = scope.location
            guard let iface = interfaces[scope.interface] else {
                checkInterfaceReference(scope.interface, l, "")
                continue
            }
            guard let n = iface.ipv4.network else {
                error("DHCP is enabled on interface '\(scope.interface)', which has no static IPv4 address", l, "enable")
                continue
            }
            let subnet = n.masked
            if let range = scope.range {
                for (field, a) in [("range/from", range.from), ("range/to", range.to)] where !n.contains(.v4(a)) {
                    error("\(a) is not inside the subnet \(subnet) of interface '\(scope.interface)'", l, field)
                }
                if range.from > range.to {
                    error("range starts at \(range.from), after its end \(range.to)", l, "range/from")
                }
            } else {
                error("DHCP is enabled but has no complete <range>", l, "range")
            }
            if let gw = scope.gateway, !n.contains(.v4(gw)) {
                error("gateway \(gw) is not inside the subnet \(subnet) of interface '\(scope.interface)'", l, "gateway")
            }
            if let peer = scope.failoverPeer {
                if !n.contains(.v4(peer)) {
                    error("failover peer \(peer) is not inside the subnet \(subnet) of interface '\(scope.interface)'", l, "failover_peerip")
                } else if n.address == .v4(peer) {
                    error("failover peer \(peer) is this node's own address", l, "failover_peerip")
                } else if !config.carpVIPs.contains(where: { $0.interfaceName(in: config) == scope.interface }) {
                    // services.inc: the failover role comes from a CARP VIP on the interface.
                    warning("DHCP failover on '\(scope.interface)' without a CARP VIP there: no failover role can be chosen", l, "failover_peerip")
                }
            }
            if !scope.macAllow.isEmpty || !scope.macDeny.isEmpty {
                warning("MAC allow/deny lists are read but not applied: every client is served", l, scope.macAllow.isEmpty ? "mac_deny" : "mac_allow")
            }
            if scope.customOptionCount > 0 {
                warning("\(scope.customOptionCount) custom DHCP option(s) are read but not applied", l, "numberoptions")
            }
            if let boot = scope.netboot, boot.filename == nil, boot.nextServer == nil, boot.rootPath == nil {
                warning("network booting is on without a next server, file name or root path: nothing is handed out", l, "netboot")
            }
            // Kea refuses a subnet whose reservations repeat a MAC or an address (Kea ARM,
            // "Host Reservations in DHCPv4": `ip-reservations-unique` defaults to true).
            var macs: [String: SourceLocation] = [:], addresses: [IPv4Address: SourceLocation] = [:]
            for map in scope.staticMaps {
                if let a = map.ipAddress, !n.contains(.v4(a)) {
                    error("\(a) is not inside the subnet \(subnet) of interface '\(scope.interface)'", map.location, "ipaddr")
                }
                if let mac = map.mac?.lowercased() {
                    if let first = macs[mac] {
                        error("MAC address \(mac) is already mapped by \(first.path)", map.location, "mac")
                    } else {
                        macs[mac] = map.location
                    }
                }
                if let a = map.ipAddress {
                    if let first = addresses[a] {
                        error("\(a) is already mapped by \(first.path)", map.location, "ipaddr")
                    } else {
                        addresses[a] = map.location
                    }
                }
            }
            for (i, name) in scope.ntpServers.enumerated() where IPv4Address(name) == nil {
                // DHCP option 42 carries IPv4 addresses only (RFC 2132 §8.3).
                warning("NTP server '\(name)' is not an IPv4 address: not handed out", l, scope.ntpServers.count > 1 ? "ntpserver[\(i + 1)]" : "ntpserver")
            }
            if scope.failoverPeer != nil, let first = config.dhcpd.first(where: { $0.enabled && $0.failoverPeer != nil }),
               first.interface != scope.interface {
                warning("one Kea HA relationship serves every scope, with the partner of '\(first.interface)': this failover peer is not used", l, "failover_peerip")
            }
            if let d = scope.defaultLeaseTime, let m = scope.maxLeaseTime, d > m {
                error("default lease time \(d) s is longer than the maximum \(m) s", l, "defaultleasetime")
            }
        }
    }

    mutating func checkUnbound() {
        guard let u = config.unbound else { return }
        if u.enabled, u.forwarding, !config.system.dnsServers.contains(where: { IPAddress($0) != nil }) {
            warning("forwarding mode without a system/dnsserver address: the resolver asks the root servers", u.location, "forwarding")
        }
        if u.enabled, u.registerDHCP {
            warning("registering dynamic DHCP leases in DNS is read but not applied (static mappings are, with regdhcpstatic)", u.location, "regdhcp")
        }
        for o in u.domainOverrides where u.enabled && o.tls {
            warning("DNS over TLS to the override's server is read but not applied: queries for \(o.domain) go to \(o.server) in plain DNS", o.location, "forward_tls_upstream")
        }
        for acl in u.accessLists where u.enabled && acl.networks.isEmpty {
            warning("access list '\(acl.name)' has no network: it changes nothing", acl.location, "row")
        }
        for name in u.activeInterfaces + u.outgoingInterfaces where name != "lo0" && interfaces[name] == nil {
            let field = u.activeInterfaces.contains(name) ? "active_interface" : "outgoing_interface"
            error("interface '\(name)' is not defined in <interfaces>", u.location, field)
        }
    }

    mutating func checkSystem() {
        var names: Set<String> = []
        for user in config.system.users {
            if user.name.isEmpty {
                error("user has no <name>", user.location, "name")
            } else if !names.insert(user.name).inserted {
                error("user name '\(user.name)' is used twice", user.location, "name")
            }
        }
        var groups: Set<String> = []
        for group in config.system.groups where !group.name.isEmpty && !groups.insert(group.name).inserted {
            error("group name '\(group.name)' is used twice", group.location, "name")
        }
    }
}
