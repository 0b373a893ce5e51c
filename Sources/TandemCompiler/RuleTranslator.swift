import TandemAddress
import TandemConfig
import TandemRuleset

/// One `<filter><rule>` → nft rules (nftables.md §3): one rule per address family that can
/// match, or a single family-free rule when nothing in it is family specific.
enum RuleTranslator {
    struct Output {
        var filter: [Rule] = []
        var notrack: [Rule] = []
    }

    /// `scope` restricts the rule to interfaces (floating rules: `iifname`/`oifname`);
    /// `notrackScope` is the ingress match a `statetype none` rule's notrack copy needs in the
    /// raw chain, where there is no per-interface dispatch.
    /// `borrowing`: the rule is read in place, not copied (issue #3).
    static func translate(_ rule: borrowing FilterRule, index: Int, scope: [Match], notrackScope: [Match]?,
                          context: inout CompileContext) -> Output {
        var out = Output()
        let location = rule.location
        if rule.disabled { return out }
        if rule.action == .match {
            context.warn("'match' rules (queue/tag only) are not applied", at: location, field: "type")
            return out
        }
        // Never broader than written: a pass rule with a condition Tandem cannot enforce is
        // left out; a block or reject rule drops the condition and blocks more.
        let missing = Unenforceable.conditions(of: rule, context: &context)
        if !missing.isEmpty {
            if rule.action == .pass {
                context.leaveOut(rule, missing: missing)
                return out
            }
            context.warn("\(rule.action.rawValue) rule applied without \(missing.joined(separator: ", ")): it blocks more than written",
                         at: location)
        }
        // One copy of the rule per time window of its schedule (Schedules.swift).
        var windows: [[Match]] = [[]]
        if let name = rule.schedule, !name.isEmpty, case .windows(let w) = context.scheduleWindows(name) {
            windows = w
        }
        // pf tags as conntrack mark bits (Tags.swift).
        var tagMatch: [Match] = []
        if let name = rule.tagged, !name.isEmpty, let bit = context.tagBit(name) { tagMatch = [.ctMark(bit, mask: bit)] }
        var tagSet: [Statement] = []
        if let name = rule.tag, !name.isEmpty, let bit = context.tagBit(name) { tagSet = [.ctMarkSetBits(bit)] }
        if rule.stateType == .synproxyState || rule.stateType == .sloppyState {
            context.warn("'\(rule.stateType.rawValue)' is applied as 'keep state'", at: location, field: "statetype")
        }
        if rule.maxStates != nil || rule.maxSourceNodes != nil || rule.maxSourceConnections != nil
            || rule.maxSourceStates != nil {
            context.warn("state limits (max, max-src-*) are not applied", at: location, field: "max")
        }
        guard let protoNumbers = RuleProtocols.numbers(for: rule.proto) else {
            context.warn("unknown protocol '\(rule.proto!)'; rule skipped", at: location, field: "protocol")
            return out
        }
        var families = IPFamily.allCases.filter { rule.ipProtocol.includes($0) }
        if rule.proto == .icmpv6 { families = families.filter { $0 == .ipv6 } }

        var perFamily: [(IPFamily, [Match])] = []
        for family in families {
            var matches: [Match] = []
            var specific = false
            var numbers = protoNumbers
            if rule.proto == .icmp, family == .ipv6 { numbers = [Protocols.icmpv6] }
            if let numbers { matches.append(.l4proto(numbers)) }
            let src = Endpoints.resolve(rule.source.address, negated: rule.source.negated, direction: .source,
                                        family: family, location: location, field: "source", context: &context)
            let dst = Endpoints.resolve(rule.destination.address, negated: rule.destination.negated,
                                        direction: .destination, family: family, location: location,
                                        field: "destination", context: &context)
            if src == .nothing || dst == .nothing { continue }
            let hasPorts = rule.proto?.hasPorts ?? false
            if case .match(let m) = src { matches.append(m); specific = true }
            if let p = rule.source.port {
                if hasPorts, let operand = Endpoints.port(p, location: location, field: "source/port", context: &context) {
                    matches.append(.port(.source, operand))
                } else if !hasPorts {
                    context.warn("a source port needs protocol tcp, udp or tcp/udp; port ignored", at: location, field: "source/port")
                }
            }
            if case .match(let m) = dst { matches.append(m); specific = true }
            if let p = rule.destination.port {
                if hasPorts, let operand = Endpoints.port(p, location: location, field: "destination/port", context: &context) {
                    matches.append(.port(.destination, operand))
                } else if !hasPorts {
                    context.warn("a destination port needs protocol tcp, udp or tcp/udp; port ignored",
                                 at: location, field: "destination/port")
                }
            }
            if rule.proto == .icmp || rule.proto == .icmpv6 {
                let types = rule.icmpTypes.filter { $0 != "any" && !$0.isEmpty }.compactMap { name -> UInt8? in
                    if let n = ICMPTypes.number(name, family: family) { return n }
                    context.warn("unknown ICMP type '\(name)' for \(family.rawValue); ignored", at: location, field: "icmptype")
                    return nil
                }
                if !types.isEmpty { matches.append(.icmpType(family, types)); specific = true }
            }
            if specific || rule.ipProtocol != .inet46 || rule.proto == .icmp || rule.proto == .icmpv6 {
                matches.insert(.nfproto(family), at: 0)
            }
            perFamily.append((family, matches))
        }
        // inet46 with nothing family specific: one rule serves both families.
        if perFamily.count == 2, perFamily[0].1 == perFamily[1].1 { perFamily.removeLast() }

        let comment = ruleComment(tracker: rule.tracker, descr: rule.descr)
        let origin = RuleOrigin(location, descr: rule.descr, tracker: rule.tracker)
        for (_, familyMatches) in perFamily {
          for window in windows {
            let matches = familyMatches + tagMatch + window
            var head: [Statement] = [.counter]
            if rule.log {
                let tag = rule.tracker.flatMap { $0.isEmpty ? nil : $0 } ?? "rule\(index)"
                head.append(.log(prefix: logPrefix(tag: tag, action: rule.action.rawValue)))
            }
            let all = scope.isEmpty ? matches : scope + matches
            switch rule.action {
            case .pass:
                // `nopfsync`: mark the state before it is accepted, so its first conntrack
                // event already carries the bit the daemon's sync filter skips.
                let noSync: [Statement] = rule.noPfsync && rule.stateType != .none
                    ? [.ctMarkSetBits(ConntrackMarks.noStateSync)] : []
                out.filter.append(Rule(matches: all, statements: head + noSync + tagSet + [.verdict(.accept)],
                                       comment: comment, origin: origin))
                if rule.stateType == .none {
                    if let notrackScope {
                        out.notrack.append(Rule(matches: notrackScope + matches, statements: [.notrack],
                                                comment: comment, origin: origin))
                    } else {
                        context.warn("'statetype none' applies only to inbound rules; this rule keeps state",
                                     at: location, field: "statetype")
                    }
                }
            case .block:
                out.filter.append(Rule(matches: all, statements: head + [.verdict(.drop)], comment: comment, origin: origin))
            case .reject:
                // pf's `block return`: TCP reset for TCP, ICMP port unreachable otherwise.
                let numbers = protoNumbers ?? []
                let tcpOnly = numbers == [Protocols.tcp]
                let hasTCP = protoNumbers == nil || numbers.contains(Protocols.tcp)
                if tcpOnly {
                    out.filter.append(Rule(matches: all, statements: head + [.reject(.tcpReset)], comment: comment, origin: origin))
                } else {
                    if hasTCP {
                        out.filter.append(Rule(matches: all + [.l4proto([Protocols.tcp])],
                                               statements: head + [.reject(.tcpReset)], comment: comment, origin: origin))
                    }
                    out.filter.append(Rule(matches: all, statements: head + [.reject(.icmpxPortUnreachable)],
                                           comment: comment, origin: origin))
                }
            case .match:
                break
            }
          }
        }
        return out
    }
}
