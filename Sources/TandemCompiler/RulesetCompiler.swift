import Foundation
import TandemAddress
import TandemConfig
import TandemRuleset

/// The result of compiling a config: the ruleset and what the compiler could not do exactly
/// (unresolved FQDN/URL aliases, unknown names, approximations), as warnings a CLI can show.
public struct RulesetCompilation: Sendable, Hashable {
    public var ruleset: Ruleset
    public var diagnostics: [ConfigDiagnostic]
    /// Pass rules not applied because a condition of theirs cannot be enforced.
    public var leftOut: [LeftOutRule]

    public init(ruleset: Ruleset, diagnostics: [ConfigDiagnostic], leftOut: [LeftOutRule] = []) {
        self.ruleset = ruleset
        self.diagnostics = diagnostics
        self.leftOut = leftOut
    }
}

/// Config → Ruleset with pfSense's filter and NAT semantics (nftables.md §3, §4). Pure and
/// deterministic: the same config gives the same ruleset.
///
/// Layout of the one table `inet tandem` (nftables.md §7.2):
///
/// | chain | hook / priority | holds |
/// |---|---|---|
/// | `raw_prerouting` | prerouting, raw | `notrack` for `statetype none` rules (only when needed) |
/// | `dstnat` | nat prerouting, dstnat | `no rdr proto carp`, port forwards, NAT reflection |
/// | `inbound` | filter prerouting, after dstnat, policy drop | pf's `in` pass for traffic to and through the firewall: ct state, system rules, floating quick, `iifname vmap @if_dispatch`, floating non-quick reversed, logged default deny |
/// | `forward_out` | filter forward, filter + 1 | pf's `out` pass on the egress interface: out/any floating rules, then accept |
/// | `output` | filter output, policy accept | out/any floating rules; "let out anything from firewall host itself" |
/// | `srcnat` | nat postrouting, srcnat | `no nat proto carp`, manual outbound NAT, automatic outbound NAT |
/// | `if_<name>` | regular | the interface tab's rules, first match (all quick) |
/// | `if_<name>.<n>` | regular | in files of more than 500 filter rules, the tab's rules numbered n to n + 499, jumped to from `if_<name>` |
///
/// pf filters a forwarded packet twice (in on the ingress, out on the egress); `inbound` and
/// `forward_out` do the same, because an `accept` ends only its own base chain while a
/// `drop` is final (nft(8), nftables.md §1.5).
public enum RulesetCompiler {
    public static let tableName = "tandem"

    /// `filterRuleCount` is the number of filter rules of the file `config` was cut from, when
    /// it holds only some of them (an edit's skeleton, `ItemEdit`): long files cut interface
    /// tabs into parts (`FilterRules.partSize`), and the skeleton's chains must be named as
    /// the whole file's are.
    ///
    /// `utcOffsetMinutes` moves schedules' local times to the kernel's UTC; by default it is
    /// the offset of the config's `<timezone>` now (UTC when there is none).
    public static func compile(_ config: Config, filterRuleCount: Int? = nil,
                               utcOffsetMinutes: Int? = nil) -> RulesetCompilation {
        let offset = utcOffsetMinutes ?? config.system.timezone.flatMap { TimeZone(identifier: $0) }
            .map { $0.secondsFromGMT() / 60 } ?? 0
        var context = CompileContext(config: config, filterRuleCount: filterRuleCount, utcOffsetMinutes: offset)
        let aliases = AliasSets.build(config: config, context: &context)
        context.aliasSets = aliases

        var filter = FilterPlan()
        SystemRules.add(to: &filter, context: &context)
        CARPRules.add(to: &filter, context: &context)
        DHCPRules.add(to: &filter, context: &context)
        FilterRules.add(to: &filter, context: &context)
        FloatingRules.add(to: &filter, context: &context)

        var nat = NATPlan()
        CARPRules.addNAT(to: &nat, context: context)
        PortForwards.add(to: &nat, filter: &filter, context: &context)
        OutboundNATRules.add(to: &nat, context: &context)

        let table = TableLayout.assemble(filter: filter, nat: nat, aliasSets: aliases.sets,
                                         builtinSets: context.usedBuiltinSets(), context: context)
        return RulesetCompilation(ruleset: Ruleset(tables: [table]), diagnostics: context.diagnostics,
                                  leftOut: context.leftOut)
    }
}
