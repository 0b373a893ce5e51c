import TandemAddress

extension ConfigValidator {
    mutating func checkFilterRules() {
        var trackers: [String: String] = [:]
        // By index: `for rule in` would hand out a copy of every rule.
        let rules = config.filterRules
        for i in rules.indices {
            checkFilterRule(rules[i], &trackers)
        }
    }

    /// `borrowing`: the rule is read in place, not copied (issue #3: a copy of each of 50k
    /// rules cost more than checking it).
    private mutating func checkFilterRule(_ rule: borrowing FilterRule, _ trackers: inout [String: String]) {
        let l = rule.location
        if rule.interfaces.isEmpty {
            error("rule has no <interface>", l, "interface")
        }
        for name in rule.interfaces where !(rule.floating && name == "any") {
            checkInterfaceReference(name, l, "interface")
        }
        if let t = rule.tracker {
            if let other = trackers[t] {
                warning("tracker \(t) is also used by \(other): counters and kernel errors cannot tell these rules apart", l, "tracker")
            } else {
                trackers[t] = l.path
            }
        }
        if let proto = rule.proto, proto.numbers == nil, proto != .named("any"), proto != .named("") {
            // Skipping the rule instead would make a block rule pass what it should stop.
            error("unknown protocol \(Self.quoted(proto.description)): Tandem cannot translate the rule", l, "protocol")
        }
        if rule.action == .block || rule.action == .reject {
            // A block rule Tandem does not apply passes what it was written to stop.
            for name in rule.interfaces where config.interfaceGroups.contains(name) && interfaces[name] == nil {
                error("a \(rule.action.rawValue) rule on interface group '\(name)' cannot be applied (interface groups are not supported)", l, "interface")
            }
        }
        checkEndpoint(rule.source.address, l, "source")
        checkEndpoint(rule.destination.address, l, "destination")
        checkPortAlias(rule.source.port, l, "source/port")
        checkPortAlias(rule.destination.port, l, "destination/port")
        if rule.source.port != nil || rule.destination.port != nil, !(rule.proto?.hasPorts ?? false) {
            warning("ports are ignored: protocol is \(rule.proto?.description ?? "any"), not tcp or udp", l,
                    rule.source.port != nil ? "source/port" : "destination/port")
        }
        if !rule.icmpTypes.isEmpty, rule.proto != .icmp, rule.proto != .icmpv6 {
            warning("<icmptype> is ignored: protocol is \(rule.proto?.description ?? "any"), not icmp", l, "icmptype")
        }
        if let gw = rule.gateway, !gatewayNames.contains(gw) {
            error("gateway '\(gw)' is not defined in <gateways>", l, "gateway")
        }
        if rule.direction != nil, !rule.floating {
            warning("<direction> only applies to floating rules", l, "direction")
        }
        // Schedules, tags and policy routing are the compiler's: what it cannot enforce
        // it leaves out or applies narrower, and says so (`tandem check` lists it).
        // The list is built only for a rule that sets a limit (most do not).
        if rule.maxStates != nil || rule.maxSourceNodes != nil || rule.maxSourceConnections != nil
            || rule.maxSourceStates != nil || rule.stateTimeout != nil {
            let limits = [("max", rule.maxStates), ("max-src-nodes", rule.maxSourceNodes),
                          ("max-src-conn", rule.maxSourceConnections), ("max-src-states", rule.maxSourceStates),
                          ("statetimeout", rule.stateTimeout)]
            for (field, value) in limits {
                if let value, value < 0 { error("'\(value)' must not be negative", l, field) }
            }
        }
    }

    mutating func checkPortForwards() {
        for pf in config.portForwards {
            let l = pf.location
            if pf.interfaces.isEmpty { error("port forward has no <interface>", l, "interface") }
            for name in pf.interfaces { checkInterfaceReference(name, l, "interface") }
            checkEndpoint(pf.source.address, l, "source")
            checkEndpoint(pf.destination.address, l, "destination")
            checkPortAlias(pf.source.port, l, "source/port")
            checkPortAlias(pf.destination.port, l, "destination/port")
            checkPortAlias(pf.localPort, l, "local-port")
            switch pf.target {
            case .alias(let name)?: checkAddressAlias(name, l, "target")
            case nil where !pf.noRedirect: error("port forward has no <target>", l, "target")
            default: break
            }
        }
    }
}
