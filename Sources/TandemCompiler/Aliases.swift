import TandemAddress
import TandemConfig
import TandemRuleset

/// Aliases → named sets (nftables.md §3.5): one interval set per family for host and network
/// aliases, one `inet_service` interval set for port aliases. Nested aliases are flattened
/// depth-first (pfSense's `filter_generate_nested_alias_recurse`), contents merged and
/// de-duplicated, so a rule with a 10,000-entry alias is one set lookup.
///
/// FQDN entries and URL aliases are not resolved here (that needs DNS and HTTP, which a pure
/// compiler has no business doing): their sets are emitted with the static part, for both
/// families, and a warning says so; a later element-only refresh can fill them.
struct AliasSets {
    var sets: [NamedSet] = []
    /// Alias name → set name per family, only for families with a set.
    var addressSets: [String: [IPFamily: String]] = [:]
    /// Port alias name → set name.
    var portSets: [String: String] = [:]
    /// The flattened contents, for places that need values rather than a set (NAT targets).
    var contents: [String: Flattened] = [:]

    struct Flattened {
        var v4: [SetElement] = []
        var v6: [SetElement] = []
        var ports: [SetElement] = []
        /// Has FQDN entries or URL content that is filled later.
        var dynamic = false
        var isPort = false

        mutating func merge(_ other: Flattened) {
            v4 += other.v4
            v6 += other.v6
            ports += other.ports
            dynamic = dynamic || other.dynamic
        }
    }

    static func setName(_ alias: String, suffix: String) -> String {
        "alias_\(CompileContext.sanitized(alias))_\(suffix)"
    }

    static func build(config: Config, context: inout CompileContext) -> AliasSets {
        var result = AliasSets()
        var memo: [String: Flattened] = [:]
        for alias in config.aliases {
            // pfSense skips numeric-only alias names (redmine #4289): they read as ports.
            if !alias.name.isEmpty, alias.name.allSatisfy(\.isNumber) {
                context.warn("alias '\(alias.name)' has a numeric-only name and is skipped, as pfSense does",
                             at: alias.location, field: "name")
                continue
            }
            var flat = flatten(alias.name, config: config, stack: [], memo: &memo, context: &context)
            flat.v4 = SetElement.mergedIntervals(flat.v4)
            flat.v6 = SetElement.mergedIntervals(flat.v6)
            flat.ports = SetElement.mergedIntervals(flat.ports)
            result.contents[alias.name] = flat
            let comment = alias.descr.flatMap { $0.isEmpty ? nil : Canonical.comment($0) }
            if flat.isPort {
                let name = setName(alias.name, suffix: "ports")
                result.portSets[alias.name] = name
                result.sets.append(NamedSet(name: name, keyType: .inetService, flags: .interval,
                                            elements: flat.ports, comment: comment))
                continue
            }
            for family in IPFamily.allCases {
                let elements = family == .ipv4 ? flat.v4 : flat.v6
                guard !elements.isEmpty || flat.dynamic else { continue }
                let name = setName(alias.name, suffix: family == .ipv4 ? "v4" : "v6")
                result.addressSets[alias.name, default: [:]][family] = name
                result.sets.append(NamedSet(name: name, keyType: family == .ipv4 ? .ipv4Address : .ipv6Address,
                                            flags: .interval, elements: elements, comment: comment))
            }
        }
        return result
    }

    /// Depth-first flattening; `stack` breaks cycles (the validator reports them, this only
    /// makes sure the compiler terminates).
    private static func flatten(_ name: String, config: Config, stack: [String], memo: inout [String: Flattened],
                                context: inout CompileContext) -> Flattened {
        if let done = memo[name] { return done }
        guard let alias = config.alias(named: name) else { return Flattened() }
        if stack.contains(name) {
            context.warn("alias '\(name)' includes itself through \(stack.joined(separator: " → ")); the loop is cut",
                         at: alias.location, field: "address")
            return Flattened()
        }
        var flat = Flattened()
        switch alias.kind {
        case .port, .urlPorts, .urltablePorts: flat.isPort = true
        default: break
        }
        if alias.kind.isURL {
            flat.dynamic = true
            context.warn("URL alias '\(name)' is not fetched by the compiler; its set holds only static entries",
                         at: alias.location, field: "url")
        }
        for entry in alias.entries {
            // URL aliases carry their URL in `<address>`: content, not an entry.
            if alias.kind.isURL, entry.description.contains("://") { continue }
            switch entry {
            case .network(let n):
                let e = SetElement.covering(n)
                if n.family == .ipv4 { flat.v4.append(e) } else { flat.v6.append(e) }
            case .range(let a, let b):
                guard a.family == b.family else { continue }
                let (lo, hi) = a.bytes.lexicographicallyPrecedes(b.bytes) ? (a, b) : (b, a)
                let e = SetElement.covering(lo, hi)
                if a.family == .ipv4 { flat.v4.append(e) } else { flat.v6.append(e) }
            case .port(let p):
                switch p {
                case .port(let n): flat.ports.append(.single(.port(n)))
                case .range(let a, let b): flat.ports.append(.interval(.port(a), .port(b)))
                case .alias(let nested):
                    flat.merge(nestedContents(nested, of: alias, config: config, stack: stack + [name],
                                              memo: &memo, context: &context))
                }
            case .alias(let nested):
                flat.merge(nestedContents(nested, of: alias, config: config, stack: stack + [name],
                                          memo: &memo, context: &context))
            case .hostname(let host):
                flat.dynamic = true
                context.warn("alias '\(name)': FQDN '\(host)' is not resolved by the compiler; the set holds the static entries",
                             at: alias.location, field: "address")
            }
        }
        memo[name] = flat
        return flat
    }

    private static func nestedContents(_ nested: String, of alias: Alias, config: Config, stack: [String],
                                       memo: inout [String: Flattened], context: inout CompileContext) -> Flattened {
        guard config.alias(named: nested) != nil else {
            context.warn("alias '\(alias.name)' names '\(nested)', which is not an alias; entry skipped",
                         at: alias.location, field: "address")
            return Flattened()
        }
        var inner = flatten(nested, config: config, stack: stack, memo: &memo, context: &context)
        inner.isPort = false
        return inner
    }
}
