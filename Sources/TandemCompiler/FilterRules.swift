import TandemAddress
import TandemConfig
import TandemRuleset

/// Interface-tab rules: every rule is `quick` and inbound (`filter_generate_user_rule()`), so
/// each interface gets one chain of first-match rules, reached from the `inbound` base chain
/// (prerouting, after dstnat) through the `if_dispatch` verdict map on `iifname`.
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
            let chain = CompileContext.interfaceChain(interface.name)
            let indices = byInterface[interface.name] ?? []
            func translated(_ index: Int) -> [Rule] {
                let out = RuleTranslator.translate(filterRules[index], index: number(index), scope: [],
                                                   notrackScope: [.iifname(.name(device))], context: &context)
                plan.rawPrerouting += out.notrack
                return out.filter
            }
            func number(_ index: Int) -> Int { filterRules[index].number ?? index + 1 }
            guard context.partedTabs else {
                plan.interfaceChains.append((chain, device, indices.flatMap(translated)))
                continue
            }
            // A long file's tabs are cut by rule number into parts, each its own chain jumped
            // to in order: a verdict in a part ends the evaluation as it would in one chain,
            // and a packet no rule of a part decides falls through to the next part. The
            // kernel rebuilds the rule blob of every chain a commit touches
            // (nf_tables_commit_chain_prepare_rules), so an edit of one rule costs a part, not
            // the whole tab (issue #3). Parts are fixed blocks of rule numbers, not of counts,
            // so an edit in place leaves every other part as it is.
            var parts: [(first: Int, rules: [Rule])] = []
            for index in indices {
                let first = (number(index) - 1) / partSize * partSize + 1
                if parts.last?.first != first { parts.append((first, [])) }
                parts[parts.count - 1].rules += translated(index)
            }
            var jumps: [Rule] = []
            for part in parts {
                let name = CompileContext.partChain(chain, first: part.first)
                jumps.append(Rule(statements: [.verdict(.jump(name))],
                                  comment: "rules \(part.first)-\(part.first + partSize - 1)",
                                  origin: RuleOrigin(path: "auto/parts")))
                plan.partChains.append((name, part.rules))
            }
            plan.interfaceChains.append((chain, device, jumps))
        }
    }

    /// Rule numbers per part of a long interface tab: an edit's commit rebuilds at most this
    /// many rules' worth of chain in the kernel; a packet crosses one jump per part before.
    static let partSize = 500
}
