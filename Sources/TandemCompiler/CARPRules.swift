import TandemAddress
import TandemConfig
import TandemRuleset

/// Automatic HA rules (nftables.md §4), emitted only when at least one CARP VIP exists
/// (redmine #13908): drop our own looped-back advertisements, pass CARP to the multicast
/// groups (and from unicast peers), keep CARP out of NAT. State-sync and XML-RPC traffic
/// are left to the admin's rules, as pfSense does.
enum CARPRules {
    static let groupV4 = IPAddress("224.0.0.18")!
    static let groupV6 = IPAddress("ff02::12")!

    static func add(to plan: inout FilterPlan, context: inout CompileContext) {
        let vips = context.config.carpVIPs
        guard !vips.isEmpty else { return }
        let origin = RuleOrigin(path: "virtualip", description: "CARP operation")
        let carp = Match.l4proto([Protocols.carp])
        for family in IPFamily.allCases where !context.ownAddresses(family: family).isEmpty {
            let set = context.use(family == .ipv4 ? .selfV4 : .selfV6)
            plan.inputSystem.append(Rule(
                matches: [.nfproto(family), carp, .address(.source, family, .namedSet(set))],
                statements: [.counter, .log(prefix: logPrefix(tag: "carp-self", action: "block")), .verdict(.drop)],
                comment: "CARP operation: drop our own advertisements", origin: origin))
        }
        var families = Set(vips.compactMap(\.address?.family))
        families.insert(.ipv4)
        for family in IPFamily.allCases where families.contains(family) {
            let group = family == .ipv4 ? groupV4 : groupV6
            plan.inputSystem.append(Rule(
                matches: [.nfproto(family), carp, .address(.destination, family, .address(group))],
                statements: [.counter, .verdict(.accept)], comment: "CARP operation", origin: origin))
        }
        var peers: [IPAddress] = []
        for vip in vips {
            for peer in [vip.peer, vip.peer6].compactMap({ $0 }) where !peers.contains(peer) { peers.append(peer) }
        }
        for peer in peers {
            plan.inputSystem.append(Rule(
                matches: [.nfproto(peer.family), carp, .address(.source, peer.family, .address(peer))],
                statements: [.counter, .verdict(.accept)], comment: "CARP operation: unicast peer", origin: origin))
        }
    }

    /// `no nat proto carp` / `no rdr proto carp`.
    static func addNAT(to plan: inout NATPlan, context: CompileContext) {
        guard !context.config.carpVIPs.isEmpty else { return }
        let rule = Rule(matches: [.l4proto([Protocols.carp])], statements: [.verdict(.return)],
                        comment: "no nat proto carp", origin: RuleOrigin(path: "virtualip", description: "CARP operation"))
        plan.dstnatEarly.append(rule)
        plan.srcnatEarly.append(rule)
    }
}
