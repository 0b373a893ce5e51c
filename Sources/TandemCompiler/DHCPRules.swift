import TandemAddress
import TandemConfig
import TandemRuleset

/// DHCP rules pfSense adds for an interface whose DHCP server is enabled (`filter.inc`):
/// clients (source port 68) to the broadcast address and to the interface address on port
/// 67 ("allow access to DHCP server"), and with a `failover_peerip` tcp/udp 519–520 from the
/// peer ("allow access to DHCP failover"). Replies leave through the output chain, which
/// lets the firewall's own traffic out.
enum DHCPRules {
    static func add(to plan: inout FilterPlan, context: inout CompileContext) {
        plan.inputSystem += server(context: context)
        plan.inputSystem += dhcpFailover(context: context)
    }

    static func server(context: CompileContext) -> [Rule] {
        var rules: [Rule] = []
        for scope in context.config.dhcpd where scope.enabled {
            guard let device = context.device(of: scope.interface) else { continue }
            var destinations: [SetElement] = [.single(.ipv4(IPv4Address(255, 255, 255, 255)))]
            if let own = context.address(of: scope.interface, family: .ipv4), case .v4(let a) = own.address {
                destinations.insert(.single(.ipv4(a)), at: 0)
            }
            rules.append(Rule(matches: [.iifname(.name(device)), .nfproto(.ipv4), .l4proto([Protocols.udp]),
                                        .port(.source, .port(68)),
                                        .address(.destination, .ipv4, .anonymousSet(destinations)),
                                        .port(.destination, .port(67))],
                              statements: [.counter, .verdict(.accept)], comment: "allow access to DHCP server",
                              origin: RuleOrigin(path: scope.location.path)))
        }
        return rules
    }

    /// "allow access to DHCP failover": tcp/udp 519–520 from the peer to this interface.
    static func dhcpFailover(context: CompileContext) -> [Rule] {
        var rules: [Rule] = []
        for scope in context.config.dhcpd where scope.enabled {
            guard let peer = scope.failoverPeer, let device = context.device(of: scope.interface) else { continue }
            var matches: [Match] = [.iifname(.name(device)), .nfproto(.ipv4), .l4proto([Protocols.tcp, Protocols.udp]),
                                    .address(.source, .ipv4, .address(.v4(peer)))]
            if let own = context.address(of: scope.interface, family: .ipv4) {
                matches.append(.address(.destination, .ipv4, .address(own.address)))
            }
            matches.append(.port(.destination, .range(519, 520)))
            rules.append(Rule(matches: matches, statements: [.counter, .verdict(.accept)],
                              comment: "allow access to DHCP failover",
                              origin: RuleOrigin(path: scope.location.path + "/failover_peerip")))
        }
        return rules
    }
}
