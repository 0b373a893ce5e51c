import TandemRuleset

/// What changes between two rulesets, table by table: chains and sets added, removed,
/// redefined (hook, priority, policy, type, flags, comment) or, for chains, with
/// different rules; set elements added and removed. `tandem diff` prints it; the
/// incremental commit sends exactly this.
public struct RulesetDiff: Sendable, Hashable {
    public struct TableChanges: Sendable, Hashable {
        public var family: TableFamily
        public var name: String
        public var chainsAdded: [String] = []
        public var chainsRemoved: [String] = []
        /// Same definition, different rules.
        public var chainsChanged: [String] = []
        /// Base-chain attributes or comment differ.
        public var chainsRedefined: [String] = []
        public var setsAdded: [String] = []
        public var setsRemoved: [String] = []
        /// Key, data type, flags or comment differ.
        public var setsRedefined: [String] = []
        public var elementsAdded: [String: [SetElement]] = [:]
        public var elementsRemoved: [String: [SetElement]] = [:]

        public var isEmpty: Bool {
            chainsAdded.isEmpty && chainsRemoved.isEmpty && chainsChanged.isEmpty && chainsRedefined.isEmpty
                && setsAdded.isEmpty && setsRemoved.isEmpty && setsRedefined.isEmpty
                && elementsAdded.isEmpty && elementsRemoved.isEmpty
        }
    }

    public var tablesAdded: [Table] = []
    public var tablesRemoved: [Table] = []
    public var tablesChanged: [TableChanges] = []

    public var isEmpty: Bool { tablesAdded.isEmpty && tablesRemoved.isEmpty && tablesChanged.isEmpty }

    public init(from old: Ruleset, to new: Ruleset) {
        func key(_ t: Table) -> String { "\(t.family.rawValue) \(t.name)" }
        let oldTables = Dictionary(old.tables.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let newKeys = Set(new.tables.map(key))
        tablesRemoved = old.tables.filter { !newKeys.contains(key($0)) }
        for table in new.tables {
            guard let before = oldTables[key(table)] else {
                tablesAdded.append(table)
                continue
            }
            let changes = Self.compare(before, table)
            if !changes.isEmpty { tablesChanged.append(changes) }
        }
    }

    static func compare(_ old: Table, _ new: Table) -> TableChanges {
        var c = TableChanges(family: new.family, name: new.name)
        let oldChains = Dictionary(old.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newChainNames = Set(new.chains.map(\.name))
        c.chainsRemoved = old.chains.map(\.name).filter { !newChainNames.contains($0) }
        for chain in new.chains {
            guard let before = oldChains[chain.name] else { c.chainsAdded.append(chain.name); continue }
            if before.base != chain.base || before.comment != chain.comment {
                c.chainsRedefined.append(chain.name)
            } else if !Rule.sameInKernel(before.rules, chain.rules) {
                c.chainsChanged.append(chain.name)
            }
        }
        let oldSets = Dictionary(old.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newSetNames = Set(new.sets.map(\.name))
        c.setsRemoved = old.sets.map(\.name).filter { !newSetNames.contains($0) }
        for set in new.sets {
            guard let before = oldSets[set.name] else { c.setsAdded.append(set.name); continue }
            if before.definitionOnly != set.definitionOnly {
                c.setsRedefined.append(set.name)
                continue
            }
            let was = Set(before.elements), now = Set(set.elements)
            let added = set.elements.filter { !was.contains($0) }
            let removed = before.elements.filter { !now.contains($0) }
            if !added.isEmpty { c.elementsAdded[set.name] = added }
            if !removed.isEmpty { c.elementsRemoved[set.name] = removed }
        }
        return c
    }

    /// One line per change, `+` added, `-` removed, `~` changed.
    public var lines: [String] {
        var out: [String] = []
        for t in tablesAdded {
            out.append("+ table \(t.family.rawValue) \(t.name) (\(t.chains.count) chains, \(t.sets.count) sets, \(t.chains.reduce(0) { $0 + $1.rules.count }) rules)")
        }
        for t in tablesRemoved { out.append("- table \(t.family.rawValue) \(t.name)") }
        for c in tablesChanged {
            let t = "\(c.family.rawValue) \(c.name)"
            out += c.chainsAdded.map { "+ chain \(t) \($0)" }
            out += c.chainsRemoved.map { "- chain \(t) \($0)" }
            out += c.chainsRedefined.map { "~ chain \(t) \($0) (definition)" }
            out += c.chainsChanged.map { "~ chain \(t) \($0) (rules)" }
            out += c.setsAdded.map { "+ set \(t) \($0)" }
            out += c.setsRemoved.map { "- set \(t) \($0)" }
            out += c.setsRedefined.map { "~ set \(t) \($0) (definition)" }
            for name in c.elementsAdded.keys.sorted() {
                out += c.elementsAdded[name]!.map { "+ element \(t) \(name) \(Self.describe($0))" }
            }
            for name in c.elementsRemoved.keys.sorted() {
                out += c.elementsRemoved[name]!.map { "- element \(t) \(name) \(Self.describe($0))" }
            }
        }
        return out
    }

    static func describe(_ e: SetElement) -> String {
        switch e {
        case .single(let v): describe(v)
        case .interval(let a, let b): "\(describe(a))-\(describe(b))"
        case .mapping(let v, let verdict): "\(describe(v)) : \(verdict)"
        case .tuple(let values, _): values.map(describe).joined(separator: " . ")
        }
    }

    static func describe(_ v: SetValue) -> String {
        switch v {
        case .ipv4(let a): a.description
        case .ipv6(let a): a.description
        case .port(let p): String(p)
        case .proto(let p): String(p)
        case .ifname(let n): "\"\(n)\""
        case .mark(let m): "0x" + String(m, radix: 16)
        }
    }
}
