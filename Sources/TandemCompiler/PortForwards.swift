import TandemAddress
import TandemConfig
import TandemRuleset

/// Port forwards (`<nat><rule>`, nftables.md §3.6) → `dnat` in the dstnat chain. The filter
/// rule that pfSense links to a forward (`associated-rule-id` = `nat_…`) is an ordinary
/// interface rule whose destination is the internal target: it is compiled with the other
/// rules and, since dstnat runs before the inbound filter chain, it sees the post-DNAT
/// address, as pf filters after rdr. `associated-rule-id` = `pass` ("rdr pass") marks the
/// connection in dstnat and accepts `ct status dnat` with that mark early in inbound.
/// `natreflection` = `purenat` repeats the dnat on the other internal interfaces and
/// masquerades clients that share the target's subnet, so replies come back through us.
enum PortForwards {
    /// ct mark values for "rdr pass" flows: 0x54500000 + n ("TP"), n = the forward's index.
    static func passMark(_ index: Int) -> UInt32 { 0x5450_0000 | UInt32(index & 0xffff) }

    /// A forward's reflection mode, its own or the system default, as pfSense's
    /// `filter_nat_rules_generate()` decides it (`pfsense/pfsense:src/etc/inc/filter.inc`):
    /// `natreflection` when set; else none under `<disablenatreflection>`, pure NAT under
    /// `<enablenatreflectionpurenat>`, and the NAT + proxy mode (`enable`) otherwise.
    static func effectiveReflection(_ forward: PortForward, system: SystemConfig) -> String {
        if let own = forward.natReflection { return own }
        if system.natReflectionDisabled { return "disable" }
        return system.natReflectionPureNAT ? "purenat" : "enable"
    }

    static func add(to nat: inout NATPlan, filter: inout FilterPlan, context: inout CompileContext) {
        for (i, forward) in context.config.portForwards.enumerated() where !forward.disabled {
            let index = i + 1
            for family in IPFamily.allCases where (forward.ipProtocol ?? .inet).includes(family) {
                translate(forward, index: index, family: family, nat: &nat, filter: &filter, context: &context)
            }
        }
    }

    private static func translate(_ forward: PortForward, index: Int, family: IPFamily, nat: inout NATPlan,
                                  filter: inout FilterPlan, context: inout CompileContext) {
        let location = forward.location
        let name = forward.interfaces.first ?? "wan"
        guard let device = context.device(of: name) else {
            context.warn("port forward on interface '\(name)', which does not exist or is disabled; skipped",
                         at: location, field: "interface")
            return
        }
        guard let numbers = RuleProtocols.numbers(for: forward.proto) else {
            context.warn("unknown protocol '\(forward.proto!)'; port forward skipped", at: location, field: "protocol")
            return
        }
        let hasPorts = forward.proto?.hasPorts ?? false
        // The target.
        var targetAddress: IPAddress?
        if !forward.noRedirect {
            switch forward.target {
            case .network(let n)?: targetAddress = n.address
            case .alias(let a)?:
                let flat = context.aliasSets.contents[a]
                let elements = family == .ipv4 ? flat?.v4 : flat?.v6
                if let first = elements?.first, case .single(let v) = first, elements?.count == 1 {
                    targetAddress = v.ipAddress
                } else {
                    context.warn("port forward target alias '\(a)' must hold exactly one host; skipped",
                                 at: location, field: "target")
                    return
                }
            case nil:
                context.warn("port forward has no target; skipped", at: location, field: "target")
                return
            }
            guard targetAddress?.family == family else { return }
        }

        var base: [Match] = [.nfproto(family)]
        if let numbers { base.append(.l4proto(numbers)) }
        let src = Endpoints.resolve(forward.source.address, negated: forward.source.negated, direction: .source,
                                    family: family, location: location, field: "source", context: &context)
        if src == .nothing { return }
        if case .match(let m) = src { base.append(m) }
        if hasPorts, let p = forward.source.port,
           let op = Endpoints.port(p, location: location, field: "source/port", context: &context) {
            base.append(.port(.source, op))
        }
        let dst = Endpoints.resolve(forward.destination.address, negated: forward.destination.negated,
                                    direction: .destination, family: family, location: location,
                                    field: "destination", context: &context)
        if dst == .nothing { return }
        var dports: PortOperand?
        var width: UInt16 = 0
        var firstPort: UInt16?
        if hasPorts, let p = forward.destination.port {
            dports = Endpoints.port(p, location: location, field: "destination/port", context: &context)
            switch p {
            case .port(let a): firstPort = a
            case .range(let a, let b): firstPort = a; width = b - a
            case .alias: break
            }
        }

        let comment = ruleComment(tracker: nil, descr: forward.descr)
        let origin = RuleOrigin(location, descr: forward.descr, tracker: nil)
        var statements: [Statement] = [.counter]
        if forward.noRedirect {
            statements.append(.verdict(.accept))
        } else {
            var ports: ClosedRange<UInt16>?
            if let lp = forward.localPort {
                switch lp {
                case .port(let l), .range(let l, _):
                    let (end, overflow) = l.addingReportingOverflow(width)
                    ports = l...(overflow ? UInt16.max : end)
                    // A range forwarded onto the same ports keeps each port: no port rewrite.
                    if width > 0, l == firstPort { ports = nil }
                    if width > 0, l != firstPort {
                        context.warn("a port range forwarded to a different local range is mapped as a pool, not port for port",
                                     at: location, field: "local-port")
                    }
                case .alias:
                    context.warn("a port alias as local port is not supported; ports kept", at: location, field: "local-port")
                }
            }
            if ports != nil, !hasPorts { ports = nil }
            if forward.associatedRuleID == "pass" {
                statements.append(.ctMarkSet(passMark(index)))
                // Tag bits (Tags.swift) a pass rule may add to the flow are not part of it.
                let mask: UInt32 = context.tagBits.isEmpty ? 0xffff_ffff : ~ConntrackMarks.tagMask
                filter.forwardEarly.append(Rule(matches: [.ctStatus([.dnat]), .ctMark(passMark(index), mask: mask)],
                                                statements: [.counter, .verdict(.accept)],
                                                comment: comment.map { "rdr pass: \($0)" } ?? "rdr pass", origin: origin))
            }
            statements.append(.dnat(NATTarget(family: family, address: .address(targetAddress!), ports: ports)))
        }

        var matches = [Match.iifname(.name(device))] + base
        if case .match(let m) = dst { matches.append(m) }
        if let dports { matches.append(.port(.destination, dports)) }
        nat.dstnat.append(Rule(matches: matches, statements: statements, comment: comment, origin: origin))

        let reflection = effectiveReflection(forward, system: context.config.system)
        // The proxy mode is not supported: a forward that asks for it is warned about; one
        // that only inherits it from the system default is left unreflected without a word,
        // as before the default was read (most files carry neither setting).
        if forward.natReflection == "enable" {
            context.warn("NAT reflection 'enable' (NAT + proxy) is not supported; use purenat", at: location, field: "natreflection")
        }
        guard reflection == "purenat", !forward.noRedirect, let target = targetAddress else { return }
        // Reflection: the same rdr on every other internal interface, for the outside address.
        var reflectedDst: Match?
        if case .match(let m) = dst { reflectedDst = m }
        else if let wan = context.address(of: name, family: family) {
            reflectedDst = .address(.destination, family, .address(wan.address))
        }
        guard let reflectedDst else { return }
        for interface in context.activeInterfaces where interface.name != name && (interface.gateway ?? "").isEmpty {
            guard let subnet = family == .ipv4 ? interface.ipv4.network : interface.ipv6.network else { continue }
            var m = [Match.iifname(.name(interface.device!))] + base + [reflectedDst]
            if let dports { m.append(.port(.destination, dports)) }
            nat.dstnat.append(Rule(matches: m, statements: statements.filter { if case .ctMarkSet = $0 { false } else { true } },
                                   comment: comment.map { "reflection: \($0)" } ?? "reflection", origin: origin))
            if subnet.contains(target) {
                var s: [Match] = [.oifname(.name(interface.device!)), .nfproto(family)]
                if let numbers { s.append(.l4proto(numbers)) }
                s += [.address(.source, family, .prefix(subnet.masked)), .address(.destination, family, .address(target)),
                      .ctStatus([.dnat])]
                nat.srcnat.append(Rule(matches: s, statements: [.counter, .masquerade(ports: nil, flags: [])],
                                       comment: comment.map { "reflection: \($0)" } ?? "reflection", origin: origin))
            }
        }
    }
}

extension SetValue {
    var ipAddress: IPAddress? {
        switch self {
        case .ipv4(let a): .v4(a)
        case .ipv6(let a): .v6(a)
        default: nil
        }
    }
}
