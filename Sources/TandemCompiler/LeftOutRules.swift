import TandemConfig
import TandemRuleset

/// A filter rule the compiler leaves out because it holds a condition Tandem cannot enforce:
/// applied without it, a pass rule would pass more than written, so it is not applied at all
/// (issue #20). `tandem check --json` lists them.
public struct LeftOutRule: Sendable, Hashable {
    /// `filter/rule[12]`, `OPNsense/Firewall/Filter/rules/rule[3]`.
    public var path: String
    public var line: Int?
    public var description: String?
    public var tracker: String?
    /// What is missing, one phrase each: `policy routing to gateway 'VPN_VPNV4'`.
    public var missing: [String]

    public init(path: String, line: Int?, description: String?, tracker: String?, missing: [String]) {
        self.path = path
        self.line = line
        self.description = description
        self.tracker = tracker
        self.missing = missing
    }
}

/// The conditions of a rule Tandem cannot enforce. Each one either makes a pass rule be
/// left out, or is dropped from a block or reject rule, which then blocks more than written
/// (the safe side: never does a missing condition let more through).
enum Unenforceable {
    static func conditions(of rule: borrowing FilterRule, context: inout CompileContext) -> [String] {
        var missing: [String] = []
        if let gw = rule.gateway, !gw.isEmpty, rule.action == .pass {
            // pf's route-to: marks plus routing rules and tables would carry it; until the
            // routing side exists the rule must not pass traffic onto the default route.
            missing.append("policy routing to gateway '\(gw)'")
        }
        if let name = rule.schedule, !name.isEmpty {
            switch context.scheduleWindows(name) {
            case .windows: break
            case .unsupported(let why): missing.append("schedule '\(name)' (\(why))")
            }
        }
        if let tagged = rule.tagged, !tagged.isEmpty, context.tagBit(tagged) == nil {
            missing.append("tag '\(tagged)' (more than \(ConntrackMarks.tagBits.count) distinct tags)")
        }
        if rule.proto == .icmp || rule.proto == .icmpv6 {
            for name in rule.icmpTypes where name != "any" && !name.isEmpty
                && ICMPTypes.number(name, family: .ipv4) == nil && ICMPTypes.number(name, family: .ipv6) == nil {
                missing.append("ICMP type '\(name)'")
            }
        }
        if rule.interfaceNegated {
            missing.append("'every interface but' (interfacenot)")
        }
        return missing
    }
}

extension CompileContext {
    /// Records a pass rule left out, with a warning naming what is missing.
    mutating func leaveOut(_ rule: borrowing FilterRule, missing: [String]) {
        let path = rule.location.path
        guard !leftOut.contains(where: { $0.path == path }) else { return }
        leftOut.append(LeftOutRule(path: path, line: rule.location.position?.line, description: rule.descr,
                                   tracker: rule.tracker, missing: missing))
        warn("pass rule left out: \(missing.joined(separator: ", ")) cannot be enforced, and without it the rule would pass more than written",
             at: rule.location)
    }
}
