import TandemAddress
import TandemConfig
import TandemRuleset

/// Outbound NAT in its four modes (nftables.md §3.7): `automatic` masquerades the local
/// subnets on every interface with a gateway; `advanced` (Manual) uses only the rule list,
/// top-down first match; `hybrid` the rule list, then automatic; `disabled` nothing.
enum OutboundNATRules {
    static func add(to nat: inout NATPlan, context: inout CompileContext) {
        let outbound = context.config.outboundNAT
        for (i, rule) in outbound.rules.enumerated() where !rule.disabled && rule.alwaysApplies {
            nat.srcnat += manual(rule, index: i + 1, context: &context)
        }
        if outbound.rulesApply {
            for (i, rule) in outbound.rules.enumerated() where !rule.disabled && !rule.alwaysApplies {
                nat.srcnat += manual(rule, index: i + 1, context: &context)
            }
        }
        if outbound.mode == .automatic || outbound.mode == .hybrid {
            nat.srcnat += automatic(context: &context)
        }
    }

    /// Interfaces that count as WANs: a gateway, or an address pfSense learns with one.
    static func hasGateway(_ i: InterfaceConfig) -> Bool {
        if let g = i.gateway, !g.isEmpty { return true }
        if case .dynamic(let how) = i.ipv4, ["dhcp", "pppoe", "pptp", "l2tp"].contains(how) { return true }
        return false
    }

    /// pfSense's tonatsubnets: the subnets of interfaces without a gateway, and loopback.
    static func automaticSources(config: Config) -> [IPNetwork] {
        var out = [IPNetwork("127.0.0.0/8")!]
        for i in config.interfaces where i.enabled && !hasGateway(i) {
            if let n = i.ipv4.network { out.append(n.masked) }
        }
        return out
    }

    /// `nat on $WAN from $tonatsubnets port 500 -> ($WAN) static-port` and
    /// `nat on $WAN from $tonatsubnets -> ($WAN) port 1024:65535`. Automatic mode never uses
    /// VIPs; masquerade follows the interface address.
    static func automatic(context: inout CompileContext) -> [Rule] {
        var rules: [Rule] = []
        for interface in context.activeInterfaces where hasGateway(interface) {
            let set = context.use(.autoNATSourcesV4)
            let base: [Match] = [.oifname(.name(interface.device!)), .nfproto(.ipv4), .address(.source, .ipv4, .namedSet(set))]
            let origin = RuleOrigin(path: "nat/outbound", description: "automatic outbound NAT on \(interface.name)")
            let comment = "automatic outbound NAT on \(interface.displayName)"
            rules.append(Rule(matches: base + [.l4proto([Protocols.udp]), .port(.destination, .port(500))],
                              statements: [.counter, .masquerade(ports: nil, flags: [])],
                              comment: comment + " (ISAKMP, static port)", origin: origin))
            rules.append(Rule(matches: base + [.l4proto([Protocols.tcp, Protocols.udp])],
                              statements: [.counter, .masquerade(ports: 1024...65535, flags: [])], comment: comment, origin: origin))
            rules.append(Rule(matches: base, statements: [.counter, .masquerade(ports: nil, flags: [])],
                              comment: comment, origin: origin))
        }
        return rules
    }

    static func manual(_ rule: OutboundNATRule, index: Int, context: inout CompileContext) -> [Rule] {
        let location = rule.location
        guard let name = rule.interface, let device = context.device(of: name) else {
            context.warn("outbound NAT rule on interface '\(rule.interface ?? "")', which does not exist or is disabled; skipped",
                         at: location, field: "interface")
            return []
        }
        guard var numbers = RuleProtocols.numbers(for: rule.proto) else {
            context.warn("unknown protocol '\(rule.proto!)'; rule skipped", at: location, field: "protocol")
            return []
        }
        let wantsPorts = rule.sourcePort != nil || rule.destinationPort != nil
        if numbers == nil, wantsPorts { numbers = [Protocols.tcp, Protocols.udp] }
        let protoHasPorts = numbers.map { $0.allSatisfy { $0 == Protocols.tcp || $0 == Protocols.udp } } ?? false
        var families: [IPFamily] = [.ipv4]
        if rule.ipProtocol == .inet6 { families = [.ipv6] }
        if rule.ipProtocol == .inet46 { families = [.ipv4, .ipv6] }

        var rules: [Rule] = []
        let comment = ruleComment(tracker: nil, descr: rule.descr)
        let origin = RuleOrigin(location, descr: rule.descr, tracker: nil)
        for family in families {
            var matches: [Match] = [.oifname(.name(device)), .nfproto(family)]
            if let numbers { matches.append(.l4proto(numbers)) }
            let src = Endpoints.resolve(rule.source, negated: false, direction: .source, family: family,
                                        location: location, field: "source/network", context: &context)
            let dst = Endpoints.resolve(rule.destination, negated: rule.destinationNegated, direction: .destination,
                                        family: family, location: location, field: "destination", context: &context)
            if src == .nothing || dst == .nothing { continue }
            if case .match(let m) = src { matches.append(m) }
            if let p = rule.sourcePort, protoHasPorts,
               let op = Endpoints.port(p, location: location, field: "sourceport", context: &context) {
                matches.append(.port(.source, op))
            }
            if case .match(let m) = dst { matches.append(m) }
            if let p = rule.destinationPort, protoHasPorts,
               let op = Endpoints.port(p, location: location, field: "dstport", context: &context) {
                matches.append(.port(.destination, op))
            }
            if rule.noNAT {
                rules.append(Rule(matches: matches, statements: [.counter, .verdict(.accept)],
                                  comment: comment ?? "no nat", origin: origin))
                continue
            }
            guard let translation = target(rule, interface: name, family: family, context: &context) else { continue }
            // pf's default `port 1024:65535`; `static-port` keeps the port; `natport` fixes it.
            var ports: ClosedRange<UInt16>? = 1024...65535
            if rule.staticNATPort { ports = nil }
            if let np = rule.natPort {
                switch np {
                case .port(let p): ports = p...p
                case .range(let a, let b): ports = a...b
                case .alias: context.warn("a port alias as NAT port is not supported", at: location, field: "natport")
                }
            }
            func statement(_ ports: ClosedRange<UInt16>?) -> Statement {
                switch translation {
                case .masquerade(let flags): .masquerade(ports: ports, flags: flags)
                case .snat(var t): { t.ports = ports; return .snat(t) }()
                }
            }
            // A port range needs a transport protocol match (nft: "transport protocol mapping
            // is only valid after transport protocol match").
            if ports != nil, !protoHasPorts {
                rules.append(Rule(matches: matches + [.l4proto([Protocols.tcp, Protocols.udp])],
                                  statements: [.counter, statement(ports)], comment: comment, origin: origin))
                rules.append(Rule(matches: matches, statements: [.counter, statement(nil)], comment: comment, origin: origin))
            } else {
                rules.append(Rule(matches: matches, statements: [.counter, statement(ports)], comment: comment, origin: origin))
            }
        }
        return rules
    }

    enum Translation {
        case masquerade(NATFlags)
        case snat(NATTarget)
    }

    /// The translation address: interface address (masquerade when it has no static one),
    /// one address (a CARP VIP, typically), a subnet or an alias as a pool.
    static func target(_ rule: OutboundNATRule, interface: String, family: IPFamily,
                       context: inout CompileContext) -> Translation? {
        var flags: NATFlags = []
        let pool = rule.poolOptions ?? ""
        if pool.contains("sticky-address") { flags.insert(.persistent) }
        if pool.hasPrefix("random") { flags.insert(.random) }
        if pool.hasPrefix("source-hash") || pool.hasPrefix("bitmask") {
            context.warn("pool option '\(pool)' has no nftables equivalent; the kernel's default address choice applies",
                         at: rule.location, field: "poolopts")
        }
        switch rule.target {
        case .interfaceAddress(let name):
            if let a = context.address(of: name ?? interface, family: family) {
                return .snat(NATTarget(family: family, address: .address(a.address)))
            }
            return .masquerade([])
        case .address(let a):
            guard a.family == family else { return nil }
            return .snat(NATTarget(family: family, address: .address(a)))
        case .network(let n):
            guard n.family == family else { return nil }
            if n.isHost { return .snat(NATTarget(family: family, address: .address(n.address))) }
            return .snat(NATTarget(family: family, address: .prefix(n.masked), flags: flags))
        case .alias(let name):
            let flat = context.aliasSets.contents[name]
            let elements = (family == .ipv4 ? flat?.v4 : flat?.v6) ?? []
            guard let first = elements.first else {
                if let vip = context.config.virtualIPs.first(where: { $0.descr == name }), let a = vip.address, a.family == family {
                    return .snat(NATTarget(family: family, address: .address(a)))
                }
                context.warn("NAT target alias '\(name)' has no \(family.rawValue) address; rule skipped",
                             at: rule.location, field: "target")
                return nil
            }
            if elements.count > 1 {
                context.warn("NAT target alias '\(name)' is not one contiguous range; only its first range is used",
                             at: rule.location, field: "target")
            }
            switch first {
            case .single(let v): return .snat(NATTarget(family: family, address: .address(v.ipAddress!)))
            case .interval(let lo, let hi):
                return .snat(NATTarget(family: family, address: .range(lo.ipAddress!, hi.ipAddress!), flags: flags))
            case .mapping, .tuple: return nil
            }
        }
    }
}
