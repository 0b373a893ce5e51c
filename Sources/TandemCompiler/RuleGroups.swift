import TandemAddress
import TandemRuleset

/// Runs of consecutive filter rules that differ only in single addresses and ports become
/// one rule that looks their tuple up in a set (`ip saddr . ip daddr . th dport
/// @rules_if_lan_1`), one element per rule, each with its own counter and the rule's comment.
///
/// - The rules of a run share everything but those values, their action included, so which
///   of them matches first decides nothing but whose counter counts; an element counts what
///   its rule would have, except for a rule that repeats an earlier one's tuple, which pf
///   would never reach either.
/// - A packet is matched by one hash lookup instead of a walk down the run.
/// - Changing one of these rules is one element deleted and one added. A new rule makes the
///   kernel re-validate every rule reachable from each base chain of the table
///   (nf_tables_newrule marks the table, nf_tables_commit walks it: 4 ms at 10,000 rules);
///   an element of a set that is not a verdict map does not (issue #3).
///
/// Runs shorter than `minimumRun` stay rules: a short list reads better as rules and a
/// lookup saves nothing there.
public enum RuleGroups {
    public static let minimumRun = 8

    /// What a rule of a group is without its values: the other matches, with the lookup in
    /// place of the first address or port match, and the statements.
    public struct Shape: Sendable, Hashable {
        public var matches: [Match]
        public var statements: [Statement]

        /// The key fields, in order.
        public var fields: [KeyField] {
            for case .concatenation(let fields, _) in matches { return fields }
            return []
        }

        /// The set's key types.
        public var keyTypes: [SetKeyType] {
            fields.map { field in
                switch field {
                case .address(_, .ipv4): .ipv4Address
                case .address(_, .ipv6): .ipv6Address
                case .port: .inetService
                }
            }
        }

        /// The group's rule, looking up `set`.
        public func rule(set: String, comment: String?, origin: RuleOrigin?) -> Rule {
            let matches = self.matches.map { m -> Match in
                if case .concatenation(let fields, _) = m { return .concatenation(fields, set: set) }
                return m
            }
            return Rule(matches: matches, statements: statements, comment: comment, origin: origin)
        }
    }

    /// A filter rule's shape and tuple, or nil when it cannot be part of a group: not from a
    /// filter rule, logged (its prefix names it), or without a single address or port.
    public static func shape(of rule: Rule) -> (shape: Shape, values: [SetValue])? {
        guard let origin = rule.origin, origin.path.hasPrefix("filter/rule["),
              !rule.statements.contains(where: { if case .log = $0 { true } else { false } }) else { return nil }
        var fixed: [Match] = [], fields: [KeyField] = [], values: [SetValue] = []
        var lookupAt: Int?
        var hasProtocol = false
        for match in rule.matches {
            switch match {
            case .address(let direction, let family, .address(let a), negated: false) where a.family == family:
                if lookupAt == nil { lookupAt = fixed.count }
                fields.append(.address(direction, family))
                switch a {
                case .v4(let v4): values.append(.ipv4(v4))
                case .v6(let v6): values.append(.ipv6(v6))
                }
            case .port(let direction, .port(let p), negated: false):
                // `th` needs the protocol matched before it, as in the rule itself.
                guard hasProtocol else { return nil }
                if lookupAt == nil { lookupAt = fixed.count }
                fields.append(.port(direction))
                values.append(.port(p))
            case .concatenation:
                return nil
            case .l4proto(_, negated: false):
                hasProtocol = true
                fixed.append(match)
            default:
                fixed.append(match)
            }
        }
        guard let lookupAt else { return nil }
        fixed.insert(.concatenation(fields, set: ""), at: lookupAt)
        return (Shape(matches: fixed, statements: rule.statements), values)
    }

    /// A chain's rules with every run of `minimumRun` or more rules of one shape replaced by
    /// its lookup rule, and the sets those rules look up (`rules_<chain>_<n>`).
    static func group(_ rules: [Rule], chain: String) -> (rules: [Rule], sets: [NamedSet]) {
        guard rules.count >= minimumRun else { return (rules, []) }
        let shapes = rules.map(shape(of:))
        var out: [Rule] = [], sets: [NamedSet] = []
        var i = 0
        while i < rules.count {
            guard let first = shapes[i] else {
                out.append(rules[i])
                i += 1
                continue
            }
            var j = i + 1
            while j < rules.count, let next = shapes[j], next.shape == first.shape { j += 1 }
            guard j - i >= minimumRun else {
                out.append(contentsOf: rules[i..<j])
                i = j
                continue
            }
            let name = setName(chain: chain, number: sets.count + 1)
            var seen: Set<[SetValue]> = []
            var elements: [SetElement] = [], origins: [RuleOrigin] = []
            elements.reserveCapacity(j - i)
            origins.reserveCapacity(j - i)
            for k in i..<j where seen.insert(shapes[k]!.values).inserted {
                elements.append(.tuple(shapes[k]!.values, comment: rules[k].comment))
                origins.append(rules[k].origin!)
            }
            let types = first.shape.keyTypes
            // No counts or rule numbers in the names and comments: rules moving in or out of
            // a group (one inserted above renumbers them) change elements, not definitions.
            let span = "\(rules[i].origin!.path) to \(rules[j - 1].origin!.path)"
            sets.append(NamedSet(name: name, keyType: types[0], concatenated: Array(types.dropFirst()),
                                 elements: elements, counters: true,
                                 ruleGroup: RuleGroupOrigins(origins: origins, hasDuplicates: origins.count < j - i)))
            out.append(first.shape.rule(set: name, comment: "filter rules, one element each in @\(name)",
                                        origin: RuleOrigin(path: "filter/group[\(name)]", description: span)))
            i = j
        }
        return (out, sets)
    }

    /// `rules_if_lan_1`, `rules_if_lan_501_1` for the part chain `if_lan.501`.
    public static func setName(chain: String, number: Int) -> String {
        "rules_" + String(chain.map { $0 == "." ? "_" : $0 }) + "_" + String(number)
    }
}
