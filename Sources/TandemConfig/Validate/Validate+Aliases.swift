import TandemAddress

extension ConfigValidator {
    mutating func checkAliases() {
        var seen: Set<String> = []
        for alias in config.aliases {
            let l = alias.location
            if alias.name.isEmpty {
                error("alias has no <name>", l, "name")
                continue
            }
            if let problem = Self.aliasNameProblem(alias.name) {
                error("\(Self.quoted(alias.name)) is not a valid alias name: \(problem)", l, "name")
            }
            if interfaces[alias.name] != nil {
                error("alias name \(Self.quoted(alias.name)) is also an interface name", l, "name")
            }
            if !seen.insert(alias.name).inserted {
                error("alias name \(Self.quoted(alias.name)) is used twice", l, "name")
            }
            if case .other(let t) = alias.kind {
                error("'\(t)' is not an alias type (host, network, port, url, url_ports, urltable, urltable_ports)", l, "type")
            }
            if alias.kind.isURL {
                warning("\(alias.kind.text) alias '\(alias.name)' is read but not applied: its content is not fetched", l, "type")
                continue
            }
            checkAliasEntries(alias)
        }
        checkAliasNesting()
    }

    /// pfSense's `is_validaliasname()` (`pfsense/pfsense:src/etc/inc/util.inc`) and its
    /// message: fewer than 32 characters, not only digits (those read as ports, redmine
    /// #4289), not only underscores, and only a-z, A-Z, 0-9 and _.
    static func aliasNameProblem(_ name: String) -> String? {
        let utf8 = name.utf8
        if utf8.count >= 32 { return "\(utf8.count) characters, at most 31" }
        if !utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || $0 == 0x5f }) {
            return "only a-z, A-Z, 0-9 and _ are allowed"
        }
        if utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return "it may not consist of only numbers" }
        if utf8.allSatisfy({ $0 == 0x5f }) { return "it may not consist of only underscores" }
        return nil
    }

    /// A name for a message: quoted, and cut when it is long (a 100,000-character name
    /// would otherwise make a 100,000-character message).
    static func quoted(_ name: String) -> String {
        name.utf8.count <= 40 ? "'\(name)'" : "'\(shortName(name))' (\(name.utf8.count) bytes)"
    }

    static func shortName(_ name: String) -> String {
        name.utf8.count <= 40 ? name : "\(name.prefix(32))…"
    }

    private mutating func checkAliasEntries(_ alias: Alias) {
        let l = alias.location
        let isPort = alias.kind == .port
        for entry in alias.entries {
            switch entry {
            case .alias(let name):
                guard let nested = aliases[name] else { continue }
                let nestedIsPort = nested.kind == .port || nested.kind == .urlPorts || nested.kind == .urltablePorts
                if nestedIsPort != isPort {
                    error("alias '\(name)' is \(nestedIsPort ? "a port" : "an address") alias and cannot be nested in \(isPort ? "a port" : "an address") alias", l, "address")
                }
            case .hostname(let name):
                if isValidHostname(name) {
                    warning("host name '\(name)' in alias '\(alias.name)' is read but not resolved yet", l, "address")
                } else {
                    error("'\(name)' is neither an address nor an alias", l, "address")
                }
            case .range(let a, let b):
                if a.family != b.family || a.bytes.lexicographicallyPrecedes(b.bytes) == false && a != b {
                    error("'\(a)-\(b)' is not an address range (start after end or mixed families)", l, "address")
                }
            case .network, .port:
                break
            }
        }
    }

    func isValidHostname(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        // One label is a name too: pfSense's filterdns resolves it through the resolver's
        // search domains (`is_hostname()` in `pfsense/pfsense:src/etc/inc/util.inc`).
        guard name.count <= 253, !labels.isEmpty else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        } && !labels.last!.allSatisfy(\.isNumber)
    }

    /// Nested aliases must not include themselves (directly or through others), nor nest
    /// deeper or flatten larger than `AliasGraph`'s limits.
    private mutating func checkAliasNesting() {
        let graph = AliasGraph(config.aliases)
        for cycle in graph.cycles {
            guard let first = aliases[cycle[0]] else { continue }
            error("alias \(Self.quoted(cycle[0])) includes itself: \(AliasGraph.describe(cycle.map(Self.shortName)))",
                  first.location, "address")
        }
        // A chain too deep is reported once, at the alias that starts it.
        for name in graph.roots {
            guard let depth = graph.depth[name], depth > AliasGraph.maximumDepth, let alias = aliases[name] else { continue }
            error("alias \(Self.quoted(name)) nests aliases \(depth) levels deep; at most \(AliasGraph.maximumDepth) are allowed",
                  alias.location, "address")
        }
        // Aliases nesting too deep are already refused (and are what a long chain's size
        // comes from): the size limit is for the rest.
        var total = 0
        for alias in config.aliases {
            guard let n = graph.flattenedEntries[alias.name],
                  (graph.depth[alias.name] ?? 1) <= AliasGraph.maximumDepth else { continue }
            total = min(total + n, AliasGraph.maximumFlattenedEntries + 1)
            if n > AliasGraph.maximumFlattenedEntries {
                error("alias \(Self.quoted(alias.name)) flattens to more than \(AliasGraph.maximumFlattenedEntries) entries", alias.location, "address")
                break
            }
            if total > AliasGraph.maximumFlattenedEntries {
                error("the aliases up to \(Self.quoted(alias.name)) flatten to more than \(AliasGraph.maximumFlattenedEntries) entries in all", alias.location, "address")
                break
            }
        }
    }
}
