import TandemAddress
import TandemConfig
import TandemRuleset

/// What a rule's source or destination becomes in one address family.
enum AddressMatch: Equatable {
    /// No restriction (`any`, or a negated endpoint that cannot match in this family).
    case all
    /// Cannot match in this family (an IPv4 network in an IPv6 rule, an empty alias): the
    /// rule is dropped for this family.
    case nothing
    case match(Match)
}

/// Special networks, addresses and aliases → matches (nftables.md §3.5, pfsense-config.md §5).
enum Endpoints {
    /// `direction` says which field (`ip saddr` / `ip daddr`).
    static func resolve(_ address: EndpointAddress, negated: Bool, direction: TandemRuleset.Direction,
                        family: IPFamily, location: SourceLocation, field: String,
                        context: inout CompileContext) -> AddressMatch {
        let operand: AddressOperand?
        switch address {
        case .any:
            return negated ? .nothing : .all
        case .interfaceNetwork(let name):
            guard context.interface(name) != nil else {
                // Not an interface: pfSense also lets `<network>` name an alias or a VIP.
                return resolve(.alias(name), negated: negated, direction: direction, family: family,
                               location: location, field: field, context: &context)
            }
            operand = context.address(of: name, family: family).map { .prefix($0.masked) }
            if operand == nil, context.address(of: name, family: family == .ipv4 ? .ipv6 : .ipv4) == nil {
                context.warn("interface '\(name)' has no static address, so '\(name)' net matches nothing",
                             at: location, field: field)
            }
        case .interfaceAddress(let name):
            operand = context.address(of: name, family: family).map { .address($0.address) }
            if let i = context.interface(name) {
                // A DHCP/PPPoE address is not in the config: as a destination, match it as
                // "an address of this host" (fib), the kernel's live view.
                if operand == nil, direction == .destination,
                   case .dynamic = (family == .ipv4 ? i.ipv4 : i.ipv6) {
                    context.warn("'\(name)ip' is dynamic; matched as any local address of the firewall",
                                 at: location, field: field)
                    return .match(.fibDaddrLocal(negated: negated))
                }
            } else {
                context.warn("'\(name)ip' names no interface; the rule matches nothing", at: location, field: field)
            }
        case .thisFirewall:
            // Destination: the kernel's own view (fib), which also covers dynamic addresses
            // and VIPs while this node holds them. Source: the set of configured addresses.
            if direction == .destination {
                return .match(.fibDaddrLocal(negated: negated))
            }
            let set = family == .ipv4 ? BuiltinSet.selfV4 : BuiltinSet.selfV6
            operand = .namedSet(context.use(set))
        case .network(let n):
            operand = n.family == family ? (n.isHost ? .address(n.address) : .prefix(n.masked)) : nil
        case .alias(let name) where name.lowercased() == "any":
            // Outbound NAT rules write `<network>any</network>` for any source.
            return negated ? .nothing : .all
        case .alias(let name):
            if let sets = context.aliasSets.addressSets[name] {
                operand = sets[family].map { .namedSet($0) }
            } else if let vip = context.config.virtualIPs.first(where: {
                $0.descr == name || $0.uniqid == name || "_vip" + ($0.uniqid ?? "") == name
            }),
                      let a = vip.address {
                operand = a.family == family ? .address(a) : nil
            } else if context.aliasSets.contents[name] != nil || context.config.alias(named: name) != nil {
                operand = nil  // an alias with no entries of this family
            } else {
                context.warn("'\(name)' is neither an address, an interface nor an alias; the rule matches nothing",
                             at: location, field: field)
                operand = nil
            }
        }
        guard let operand else { return negated ? .all : .nothing }
        return .match(.address(direction, family, operand, negated: negated))
    }

    /// A port spec → a `th sport|dport` match operand; nil (with a warning) when unusable.
    static func port(_ spec: PortSpec, location: SourceLocation, field: String,
                     context: inout CompileContext) -> PortOperand? {
        switch spec {
        case .port(let p): return .port(p)
        case .range(let a, let b): return a == 1 && b == 65535 ? nil : .range(a, b)
        case .alias(let name):
            if let set = context.aliasSets.portSets[name] { return .namedSet(set) }
            context.warn("'\(name)' is not a port alias; the port is ignored", at: location, field: field)
            return nil
        }
    }
}

/// Rule protocols → `meta l4proto` numbers (`RuleProtocol.numbersByName`).
enum RuleProtocols {
    /// The protocol numbers a rule protocol stands for; nil for "any".
    static func numbers(for proto: RuleProtocol?) -> [UInt8]?? {
        guard let proto else { return .some(nil) }
        switch proto {
        case .tcp: return [6]
        case .udp: return [17]
        case .tcpUDP: return [6, 17]
        case .icmp: return [1]
        case .icmpv6: return [58]
        case .named(let name):
            if name == "any" || name.isEmpty { return .some(nil) }
            return proto.numbers
        }
    }
}
