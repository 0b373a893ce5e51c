import TandemRuleset

/// Filter rules collected per place in the layout (RulesetCompiler's table), before they are
/// assembled into chains.
struct FilterPlan {
    /// `notrack` rules for `statetype none` (raw priority, prerouting).
    var rawPrerouting: [Rule] = []
    /// System rules that only concern traffic to the firewall (anti-lockout, CARP, DHCP
    /// failover), before user rules.
    var inputSystem: [Rule] = []
    /// System rules for traffic to and through the firewall (bogons, private networks, ICMPv6).
    var inboundSystem: [Rule] = []
    /// Early accepts of port-forwarded flows (`associated-rule-id` = pass, "rdr pass").
    var forwardEarly: [Rule] = []
    /// Floating rules, split by direction and quick; non-quick lists are already reversed.
    var floatingQuickIn: [Rule] = []
    var floatingLastMatchIn: [Rule] = []
    var floatingQuickOut: [Rule] = []
    var floatingLastMatchOut: [Rule] = []
    /// Interface tab chains in interface order: chain name, device, rules.
    var interfaceChains: [(chain: String, device: String, rules: [Rule])] = []
    /// The parts of long interface tabs, each jumped to from its interface chain.
    var partChains: [(chain: String, rules: [Rule])] = []
}

/// NAT rules per chain.
struct NATPlan {
    var dstnat: [Rule] = []
    var srcnat: [Rule] = []
    /// Rules that must precede everything (CARP exclusions).
    var dstnatEarly: [Rule] = []
    var srcnatEarly: [Rule] = []
}
