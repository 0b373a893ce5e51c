import TandemAddress
import TandemConfig
import TandemRuleset

/// Interface-tab rules: every rule is `quick` and inbound (`filter_generate_user_rule()`), so
/// each interface gets one chain of first-match rules, reached from both the input and the
/// forward base chain through the `if_dispatch` verdict map on `iifname`.
enum FilterRules {
    static func add(to plan: inout FilterPlan, context: inout CompileContext) {
        // Indices into the rule list, fields read in place: a FilterRule is large, and
        // copying each one cost more than translating it (issue #3, 50,000 rules).
        let filterRules = context.config.filterRules
        let interfaceNames = Set(context.config.interfaces.map(\.name))
        var byInterface: [String: [Int]] = [:]
        for index in filterRules.indices where !filterRules[index].floating {
            let interfaces = filterRules[index].interfaces
            let disabled = filterRules[index].disabled
            guard let name = interfaces.first, !name.isEmpty else {
                if !disabled {
                    context.warn("rule has no interface; skipped", at: filterRules[index].location, field: "interface")
                }
                continue
            }
            if interfaces.count > 1 {
                context.warn("an interface-tab rule has one interface; only '\(name)' is used",
                             at: filterRules[index].location, field: "interface")
            }
            if !interfaceNames.contains(name), !disabled {
                context.warn("interface '\(name)' does not exist (interface groups are not supported); rule skipped",
                             at: filterRules[index].location, field: "interface")
            }
            byInterface[name, default: []].append(index)
        }
        for interface in context.activeInterfaces {
            let device = interface.device!
            var rules: [Rule] = []
            for index in byInterface[interface.name] ?? [] {
                let out = RuleTranslator.translate(filterRules[index], index: filterRules[index].number ?? index + 1, scope: [],
                                                   notrackScope: [.iifname(.name(device))], context: &context)
                rules += out.filter
                plan.rawPrerouting += out.notrack
            }
            plan.interfaceChains.append((CompileContext.interfaceChain(interface.name), device, rules))
        }
    }
}
