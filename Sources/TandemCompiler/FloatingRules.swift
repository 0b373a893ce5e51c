import TandemAddress
import TandemConfig
import TandemRuleset

/// Floating rules (nftables.md §3.1): quick ones run before the interface dispatch, in order;
/// non-quick ones after it in reverse order, so the first match there is pf's last match.
/// Direction `in` matches the ingress interface in the inbound chain, `out` the egress
/// interface in the forward_out/output chains, `any` both.
enum FloatingRules {
    static func add(to plan: inout FilterPlan, context: inout CompileContext) {
        var lastMatchIn: [Rule] = []
        var lastMatchOut: [Rule] = []
        // By index: only the floating rules are copied out of the (possibly 50k-rule) list.
        let rules = context.config.filterRules
        for index in rules.indices where rules[index].floating {
            let rule = rules[index]
            let devices = floatingDevices(rule, context: &context)
            if devices == [] { continue }
            let direction = rule.direction ?? .any
            if direction != .out {
                let scope: [Match] = devices.map { [.iifname(operand($0))] } ?? []
                let out = RuleTranslator.translate(rule, index: rule.number ?? index + 1, scope: scope, notrackScope: scope, context: &context)
                if rule.isQuick { plan.floatingQuickIn += out.filter } else { lastMatchIn += out.filter }
                plan.rawPrerouting += out.notrack
            }
            if direction != .in {
                let scope: [Match] = devices.map { [.oifname(operand($0))] } ?? []
                var r = rule
                if direction == .any { r.stateType = .keepState }  // notrack already emitted for the in side
                let out = RuleTranslator.translate(r, index: rule.number ?? index + 1, scope: scope, notrackScope: nil, context: &context)
                if rule.isQuick { plan.floatingQuickOut += out.filter } else { lastMatchOut += out.filter }
            }
        }
        plan.floatingLastMatchIn = lastMatchIn.reversed()
        plan.floatingLastMatchOut = lastMatchOut.reversed()
    }

    /// nil = any interface; [] = none usable (rule skipped).
    private static func floatingDevices(_ rule: FilterRule, context: inout CompileContext) -> [String]? {
        let names = rule.interfaces.filter { !$0.isEmpty }
        if names.isEmpty || names.contains("any") { return nil }
        var devices: [String] = []
        for name in names {
            if let d = context.device(of: name) {
                devices.append(d)
            } else {
                context.warn("interface '\(name)' does not exist or is disabled; ignored for this rule",
                             at: rule.location, field: "interface")
            }
        }
        return devices
    }

    private static func operand(_ devices: [String]) -> NameOperand {
        devices.count == 1 ? .name(devices[0]) : .anonymousSet(devices)
    }
}
