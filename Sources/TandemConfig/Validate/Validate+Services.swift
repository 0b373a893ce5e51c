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
            for map in scope.staticMaps {
                if let a = map.ipAddress, !n.contains(.v4(a)) {
                    error("\(a) is not inside the subnet \(subnet) of interface '\(scope.interface)'", map.location, "ipaddr")
                }
            }
        }
    }

    mutating func checkUnbound() {
        guard let u = config.unbound else { return }
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
