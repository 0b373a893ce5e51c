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
            // `alias-utils.inc`: letters, digits and underscore; all-numeric names are skipped
            // by the renderer (redmine #4289).
            if !alias.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
                || alias.name.allSatisfy(\.isNumber) {
                error("'\(alias.name)' is not a valid alias name (letters, digits and '_', not only digits)", l, "name")
            }
            if interfaces[alias.name] != nil {
                error("alias name '\(alias.name)' is also an interface name", l, "name")
            }
            if !seen.insert(alias.name).inserted {
                error("alias name '\(alias.name)' is used twice", l, "name")
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
        checkAliasCycles()
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
        guard name.count <= 253, labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        } && !labels.last!.allSatisfy(\.isNumber)
    }

    /// Nested aliases must not include themselves (directly or through others).
    private mutating func checkAliasCycles() {
        var state: [String: Int] = [:]  // 1 = on the current path, 2 = done
        var reported: Set<String> = []
        for alias in config.aliases where state[alias.name] == nil {
            var path: [String] = []
            visit(alias.name, &state, &path, &reported)
        }
    }

    private mutating func visit(_ name: String, _ state: inout [String: Int], _ path: inout [String], _ reported: inout Set<String>) {
        guard let alias = aliases[name] else { return }
        state[name] = 1
        path.append(name)
        for nested in alias.nestedAliases {
            switch state[nested] {
            case 1:
                let cycle = Array(path[path.lastIndex(of: nested)!...]) + [nested]
                let start = cycle[0]
                if reported.insert(start).inserted, let first = aliases[start] {
                    error("alias '\(start)' includes itself: \(cycle.joined(separator: " -> "))", first.location, "address")
                }
            case nil:
                visit(nested, &state, &path, &reported)
            default:
                break
            }
        }
        path.removeLast()
        state[name] = 2
    }
}
