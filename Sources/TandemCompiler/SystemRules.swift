import TandemAddress
import TandemConfig
import TandemRuleset

/// Rules pfSense generates itself before the user's (nftables.md §3.1 step 2, §3.2).
enum SystemRules {
    static func add(to plan: inout FilterPlan, context: inout CompileContext) {
        plan.inboundSystem += icmpv6Essentials()
        plan.inboundSystem += blockLists(context: &context)
        plan.inputSystem += antiLockout(context: context)
    }

    /// ICMPv6 that IPv6 cannot work without (pfSense passes unreach/toobig/neighbour
    /// discovery before user rules).
    static func icmpv6Essentials() -> [Rule] {
        [Rule(matches: [.nfproto(.ipv6), .l4proto([Protocols.icmpv6]), .icmpType(.ipv6, [1, 2, 133, 134, 135, 136])],
              statements: [.counter, .verdict(.accept)], comment: "IPv6 neighbour discovery and errors",
              origin: RuleOrigin(path: "auto/icmpv6"))]
    }

    /// `blockpriv` / `blockbogons`: `block in log quick on $if from <set>` per interface.
    static func blockLists(context: inout CompileContext) -> [Rule] {
        var rules: [Rule] = []
        for interface in context.activeInterfaces {
            let device = interface.device!
            let lists: [(Bool, BuiltinSet, BuiltinSet, String, String)] = [
                (interface.blockPrivate, .privateV4, .privateV6, "block-private", "Block private networks"),
                (interface.blockBogons, .bogonsV4, .bogonsV6, "block-bogons", "Block bogon networks"),
            ]
            for (enabled, v4, v6, tag, text) in lists where enabled {
                for set in [v4, v6] {
                    let name = context.use(set)
                    rules.append(Rule(
                        matches: [.iifname(.name(device)), .nfproto(set.family),
                                  .address(.source, set.family, .namedSet(name))],
                        statements: [.counter, .log(prefix: logPrefix(tag: tag, action: interface.name)), .verdict(.drop)],
                        comment: "\(text) from \(interface.displayName)",
                        origin: RuleOrigin(path: interface.location.path + "/" + (tag == "block-private" ? "blockpriv" : "blockbogons"))))
                }
            }
        }
        return rules
    }

    /// The anti-lockout rule (unless `webgui/noantilockout`): tcp to the LAN interface's
    /// addresses on the web GUI port and 22; on WAN when it is the only interface.
    static func antiLockout(context: CompileContext) -> [Rule] {
        let config = context.config
        guard !config.system.webgui.noAntiLockout else { return [] }
        let name = config.interfaces.count > 1 ? "lan" : "wan"
        guard let device = context.device(of: name) else { return [] }
        let ports = Array(Set([config.system.webgui.effectivePort, 22])).sorted()
        let portOperand: PortOperand = .anonymousSet(ports.map { .single(.port($0)) })
        let origin = RuleOrigin(path: "system/webgui", description: "anti-lockout rule")
        var rules: [Rule] = []
        var anyAddress = false
        for family in IPFamily.allCases {
            var addresses = context.address(of: name, family: family).map { [$0.address] } ?? []
            addresses += context.vips(on: name, family: family).compactMap(\.address)
            guard !addresses.isEmpty else { continue }
            anyAddress = true
            let operand: AddressOperand = addresses.count == 1 ? .address(addresses[0])
                : .anonymousSet(addresses.reduce(into: [SetElement]()) { out, a in
                    if !out.contains(.single(SetValue.from(a))) { out.append(.single(SetValue.from(a))) }
                })
            rules.append(Rule(matches: [.iifname(.name(device)), .nfproto(family), .l4proto([Protocols.tcp]),
                                        .address(.destination, family, operand), .port(.destination, portOperand)],
                              statements: [.counter, .verdict(.accept)], comment: "anti-lockout rule", origin: origin))
        }
        if !anyAddress {
            rules.append(Rule(matches: [.iifname(.name(device)), .l4proto([Protocols.tcp]), .fibDaddrLocal(),
                                        .port(.destination, portOperand)],
                              statements: [.counter, .verdict(.accept)], comment: "anti-lockout rule", origin: origin))
        }
        return rules
    }
}
