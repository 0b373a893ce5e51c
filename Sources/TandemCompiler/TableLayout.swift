import TandemAddress
import TandemConfig
import TandemRuleset

/// Puts the collected rules into the chains of the `inet tandem` table (the layout table in
/// RulesetCompiler.swift).
enum TableLayout {
    static let dispatchMap = "if_dispatch"

    static func assemble(filter: FilterPlan, nat: NATPlan, aliasSets: [NamedSet], builtinSets: [NamedSet],
                         context: CompileContext) -> Table {
        let auto = RuleOrigin(path: "auto/state")
        let loopback = Rule(matches: [.iifname(.name("lo"))], statements: [.verdict(.accept)],
                            comment: "loopback", origin: RuleOrigin(path: "auto/loopback"))
        let established = Rule(matches: [.ctState([.established, .related])], statements: [.verdict(.accept)],
                               comment: "established and related flows", origin: auto)
        let invalid = Rule(matches: [.ctState([.invalid])], statements: [.counter, .verdict(.drop)],
                           comment: "invalid state", origin: auto)
        let dispatch = Rule(statements: [.vmap(key: .iifname, map: dispatchMap)],
                            comment: "interface rules", origin: RuleOrigin(path: "filter"))
        let defaultDeny = Rule(statements: [.counter, .log(prefix: logPrefix(tag: "default-deny", action: "in")), .verdict(.drop)],
                               comment: "Default deny rule", origin: RuleOrigin(path: "auto/default-deny"))

        var chains: [Chain] = []
        if !filter.rawPrerouting.isEmpty {
            chains.append(Chain(name: "raw_prerouting",
                                base: BaseChain(type: .filter, hook: .prerouting, priority: -300),
                                rules: filter.rawPrerouting, comment: "statetype none: untracked"))
        }
        let dstnat = nat.dstnatEarly + nat.dstnat
        if !nat.dstnat.isEmpty {
            chains.append(Chain(name: "dstnat", base: BaseChain(type: .nat, hook: .prerouting, priority: -100),
                                rules: dstnat, comment: "port forwards"))
        }
        // pf filters a packet `in` on its interface before the routing decision, whether it
        // is for the firewall or passes through it (pf.conf(5)); prerouting after dstnat is
        // that place, so rules see port forwards' translated destinations as pf's do. One
        // base chain also means the kernel validates the interface chains from one hook, not
        // from input and forward: half the work of every commit that adds a rule.
        chains.append(Chain(
            name: "inbound", base: BaseChain(type: .filter, hook: .prerouting, priority: 0, policy: .drop),
            rules: [loopback, established, invalid] + filter.inputSystem + filter.forwardEarly + filter.inboundSystem
                + filter.floatingQuickIn + [dispatch] + filter.floatingLastMatchIn + [defaultDeny],
            comment: "arriving on an interface, to the firewall or through it (pf 'in')"))
        let outRules = filter.floatingQuickOut + filter.floatingLastMatchOut
        if !outRules.isEmpty {
            chains.append(Chain(
                name: "forward_out", base: BaseChain(type: .filter, hook: .forward, priority: 1),
                rules: [established] + outRules,
                comment: "through the firewall, egress (pf 'out'); then let it out"))
        }
        chains.append(Chain(
            name: "output", base: BaseChain(type: .filter, hook: .output, priority: 0),
            rules: outRules.isEmpty ? [] : [established] + outRules,
            comment: "let out anything from firewall host itself"))
        let srcnat = nat.srcnatEarly + nat.srcnat
        if !nat.srcnat.isEmpty {
            chains.append(Chain(name: "srcnat", base: BaseChain(type: .nat, hook: .postrouting, priority: 100),
                                rules: srcnat, comment: "outbound NAT (\(context.config.outboundNAT.mode.rawValue))"))
        }
        var groupSets: [NamedSet] = []
        for (name, rules) in filter.interfaceChains.map({ ($0.chain, $0.rules) }) + filter.partChains {
            let grouped = context.config.system.ruleGroups ? RuleGroups.group(rules, chain: name) : (rules: rules, sets: [])
            chains.append(Chain(name: name, rules: grouped.rules))
            groupSets += grouped.sets
        }

        // One entry per device: a second interface on the same device (a config error the
        // validator reports) must not make the map fail to load.
        var seen: Set<String> = []
        let entries = filter.interfaceChains.filter { seen.insert($0.device).inserted }
        let map = NamedSet(name: dispatchMap, keyType: .ifname, dataType: .verdict,
                           elements: entries.map { .mapping(.ifname($0.device), .jump($0.chain)) },
                           comment: "ingress interface → its rules")
        return Table(family: .inet, name: RulesetCompiler.tableName, sets: builtinSets + aliasSets + groupSets + [map],
                     chains: chains)
    }
}
