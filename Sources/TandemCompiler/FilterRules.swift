import TandemAddress
import TandemConfig
import TandemRuleset

/// Interface-tab rules: every rule is `quick` and inbound (`filter_generate_user_rule()`), so
/// each interface gets one chain of first-match rules, reached from both the input and the
/// forward base chain through the `if_dispatch` verdict map on `iifname`.
enum FilterRules {
    static func add(to plan: inout FilterPlan, context: inout CompileContext) {
        // Indices into the rule list, not copies of the rules: a FilterRule is large and a
        // config may hold 50,000 of them (issue #3).
        let filterRules = context.config.filterRules
        var byInterface: [String: [Int]] = [:]
        for (index, rule) in filterRules.enumerated() where !rule.floating {
            guard let name = rule.interfaces.first, !name.isEmpty else {
                if !rule.disabled { context.warn("rule has no interface; skipped", at: rule.location, field: "interface") }
                continue
            }
            if rule.interfaces.count > 1 {
                context.warn("an interface-tab rule has one interface; only '\(name)' is used",
                             at: rule.location, field: "interface")
            }
            if context.interface(name) == nil, !rule.disabled {
                context.warn("interface '\(name)' does not exist (interface groups are not supported); rule skipped",
                             at: rule.location, field: "interface")
            }
            byInterface[name, default: []].append(index)
        }
        for interface in context.activeInterfaces {
            let device = interface.device!
            var rules: [Rule] = []
            for index in byInterface[interface.name] ?? [] {
                let out = RuleTranslator.translate(filterRules[index], index: index + 1, scope: [],
                                                   notrackScope: [.iifname(.name(device))], context: &context)
                rules += out.filter
                plan.rawPrerouting += out.notrack
            }
            plan.interfaceChains.append((CompileContext.interfaceChain(interface.name), device, rules))
        }
    }
}
