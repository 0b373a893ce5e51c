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
        let memo = flattenAll(config: config, context: &context)
        for alias in config.aliases {
            // pfSense skips numeric-only alias names (redmine #4289): they read as ports.
            if !alias.name.isEmpty, alias.name.allSatisfy(\.isNumber) {
                context.warn("alias '\(alias.name)' has a numeric-only name and is skipped, as pfSense does",
                             at: alias.location, field: "name")
                continue
            }
            var flat = memo[alias.name] ?? Flattened()
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

    /// Every alias flattened (pfSense's `filter_generate_nested_alias_recurse`), in the
    /// graph's order, so the aliases one includes are done before it and no call recurses.
    /// A cycle is cut (the validator reports it; this only makes sure the compiler
    /// terminates); an alias nesting deeper or flattening larger than `AliasGraph`'s limits
    /// (which the validator also rejects) is left empty rather than built.
    private static func flattenAll(config: Config, context: inout CompileContext) -> [String: Flattened] {
        let graph = AliasGraph(config.aliases)
        var byName: [String: Alias] = [:]
        for alias in config.aliases where byName[alias.name] == nil { byName[alias.name] = alias }
        var memo: [String: Flattened] = [:]
        var total = 0
        for name in graph.order {
            guard let alias = byName[name] else { continue }
            let entries = graph.flattenedEntries[name] ?? 0
            total += entries
            if (graph.depth[name] ?? 1) > AliasGraph.maximumDepth || entries > AliasGraph.maximumFlattenedEntries
                || total > AliasGraph.maximumFlattenedEntries {
                context.warn("alias '\(name)' nests or flattens past the limits (\(AliasGraph.maximumDepth) levels, \(AliasGraph.maximumFlattenedEntries) entries); its set is left empty",
                             at: alias.location, field: "address")
                total -= entries
                memo[name] = Flattened(isPort: isPortKind(alias.kind))
                continue
            }
            memo[name] = flatten(alias, memo: memo, config: byName, context: &context)
        }
        for cycle in graph.cycles {
            guard let alias = byName[cycle[0]] else { continue }
            context.warn("alias '\(cycle[0])' includes itself through \(AliasGraph.describe(Array(cycle.dropLast())).replacingOccurrences(of: " -> ", with: " → ")); the loop is cut",
                         at: alias.location, field: "address")
        }
        return memo
    }

    private static func isPortKind(_ kind: Alias.Kind) -> Bool {
        switch kind {
        case .port, .urlPorts, .urltablePorts: true
        default: false
        }
    }

    /// One alias, its nested aliases taken from `memo` (already flattened, or absent when
    /// the inclusion closes a cycle).
    private static func flatten(_ alias: Alias, memo: [String: Flattened], config byName: [String: Alias],
                                context: inout CompileContext) -> Flattened {
        let name = alias.name
        var flat = Flattened()
        flat.isPort = isPortKind(alias.kind)
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
                    flat.merge(nestedContents(nested, of: alias, memo: memo, config: byName, context: &context))
                }
            case .alias(let nested):
                flat.merge(nestedContents(nested, of: alias, memo: memo, config: byName, context: &context))
            case .hostname(let host):
                flat.dynamic = true
                context.warn("alias '\(name)': FQDN '\(host)' is not resolved by the compiler; the set holds the static entries",
                             at: alias.location, field: "address")
            }
        }
        return flat
    }

    private static func nestedContents(_ nested: String, of alias: Alias, memo: [String: Flattened],
                                       config byName: [String: Alias], context: inout CompileContext) -> Flattened {
        guard byName[nested] != nil else {
            context.warn("alias '\(alias.name)' names '\(nested)', which is not an alias; entry skipped",
                         at: alias.location, field: "address")
            return Flattened()
        }
        // Absent: this inclusion closes a cycle, already reported.
        var inner = memo[nested] ?? Flattened()
        inner.isPort = false
        return inner
    }
}
