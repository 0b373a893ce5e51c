import TandemConfig
import TandemNetlink
import TandemRuleset

/// Where the items of the applied config are, in the file and in the kernel: the byte span
/// of every filter rule and alias in `applied.xml`, and for every rule the kernel holds,
/// which filter rule it came from. With it an apply whose file differs from the applied one
/// inside a single rule or alias reads, checks and compiles only that item and the rest of
/// the file around the filter rules, and replaces that rule's kernel rules by handle
/// (`ItemEdit`; issue #3). Kept in `applied.state` beside the rule handles, valid for the
/// same generation.
public struct AppliedItems: Sendable, Hashable {
    /// `filter/rule[n]` is `filter[n - 1]`; spans in the stored (stamped) applied.xml.
    public var filter: [Range<Int>]
    public var aliases: [Range<Int>]
    /// The applied file before its `<revision>` was stamped: `applied.xml` with
    /// `window` replaced by `original` (nil: the two are the same).
    public var unstamped: Unstamp?
    /// For every chain, the filter rule number each kernel rule came from (0: not from a
    /// filter rule), in the order of the recorded handles.
    public var chainItems: [NftRuleHandles.ChainID: [Int]]
    /// The groups of filter rules the kernel holds as one rule and a set of elements
    /// (`RuleGroups`): an edit of one of their rules replaces its element.
    public var groups: [Group]

    public struct Group: Sendable, Hashable {
        /// The chain of the group's rule; `set` is in the same table.
        public var chain: NftRuleHandles.ChainID
        public var set: String
        /// The filter rule of each element, ascending.
        public var owners: [Int]
        /// Some rule of the group repeats another's tuple and has no element of its own.
        public var hasDuplicates: Bool

        public init(chain: NftRuleHandles.ChainID, set: String, owners: [Int], hasDuplicates: Bool) {
            self.chain = chain
            self.set = set
            self.owners = owners
            self.hasDuplicates = hasDuplicates
        }
    }

    /// The group that holds `filter/rule[number]` as an element.
    public func group(of number: Int) -> Group? {
        for g in groups {
            guard let first = g.owners.first, let last = g.owners.last, first <= number, number <= last else { continue }
            var lo = 0, hi = g.owners.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if g.owners[mid] < number { lo = mid + 1 } else { hi = mid }
            }
            if lo < g.owners.count, g.owners[lo] == number { return g }
        }
        return nil
    }

    public struct Unstamp: Sendable, Hashable {
        public var window: Range<Int>
        public var original: [UInt8]

        public init(window: Range<Int>, original: [UInt8]) {
            self.window = window
            self.original = original
        }
    }

    public init(filter: [Range<Int>], aliases: [Range<Int>], unstamped: Unstamp?,
                chainItems: [NftRuleHandles.ChainID: [Int]], groups: [Group] = []) {
        self.filter = filter
        self.aliases = aliases
        self.unstamped = unstamped
        self.chainItems = chainItems
        self.groups = groups
    }

    /// The groups of a compiled ruleset: each group set and the chain whose rule looks it up.
    public static func groups(of ruleset: Ruleset) -> [Group] {
        var out: [Group] = []
        for table in ruleset.tables {
            var lookups: [String: String] = [:]
            for chain in table.chains {
                for rule in chain.rules {
                    for case .concatenation(_, let set) in rule.matches { lookups[set] = chain.name }
                }
            }
            for set in table.sets {
                guard let g = set.ruleGroup, let chain = lookups[set.name] else { continue }
                out.append(Group(chain: NftRuleHandles.ChainID(table.family, table: table.name, chain: chain), set: set.name,
                                 owners: g.origins.map(filterNumber), hasDuplicates: g.hasDuplicates))
            }
        }
        return out
    }

    /// The filter rule number a rule's origin names (`filter/rule[12]` → 12), 0 for rules
    /// that did not come from a filter rule.
    public static func filterNumber(_ origin: RuleOrigin?) -> Int {
        guard let path = origin?.path.utf8, path.starts(with: "filter/rule[".utf8), path.last == UInt8(ascii: "]") else {
            return 0
        }
        var n = 0
        for byte in path.dropFirst(12).dropLast() {
            guard byte >= 0x30, byte <= 0x39 else { return 0 }
            n = n * 10 + Int(byte - 0x30)
        }
        return n
    }

    /// The index of a config just committed in full: `input` is the file as applied, with
    /// `spans` from its parse and `filterRules` rules read from it; `stamped` is what was
    /// stored (the same with its `<revision>` stamped); `ruleset` and `handles` are what the
    /// kernel now holds. nil when the spans do not account for every rule (a file with two
    /// `<filter>` sections) or a chain's rules and handles disagree.
    public static func make(ruleset: Ruleset, handles: NftRuleHandles, input: [UInt8], spans: ItemSpans,
                            filterRules: Int, stamped: [UInt8]) -> AppliedItems? {
        let filterSpans = spans["filter/rule"]
        guard filterSpans.count == filterRules else { return nil }
        let difference = ByteDifference.between(input, stamped)
        func mapped(_ list: [Range<Int>]) -> [Range<Int>]? {
            guard let difference else { return list }
            var out: [Range<Int>] = []
            out.reserveCapacity(list.count)
            for span in list {
                guard let m = difference.map(span) else { return nil }
                out.append(m)
            }
            return out
        }
        guard let filter = mapped(filterSpans) else { return nil }
        let aliases = mapped(spans["aliases/alias"]) ?? []
        var chainItems: [NftRuleHandles.ChainID: [Int]] = [:]
        for table in ruleset.tables {
            for chain in table.chains {
                let id = NftRuleHandles.ChainID(table.family, table: table.name, chain: chain.name)
                guard handles.chains[id]?.count == chain.rules.count else { return nil }
                chainItems[id] = chain.rules.map { filterNumber($0.origin) }
            }
        }
        let unstamped = difference.map { Unstamp(window: $0.newRange, original: Array(input[$0.oldRange])) }
        return AppliedItems(filter: filter, aliases: aliases, unstamped: unstamped, chainItems: chainItems,
                            groups: groups(of: ruleset))
    }

    /// The applied file as it was given, before stamping.
    public func unstampedBytes(of stored: [UInt8]) -> [UInt8]? {
        guard let u = unstamped else { return stored }
        guard u.window.upperBound <= stored.count else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(stored.count - u.window.count + u.original.count)
        out.append(contentsOf: stored[..<u.window.lowerBound])
        out.append(contentsOf: u.original)
        out.append(contentsOf: stored[u.window.upperBound...])
        return out
    }

    /// Spans in the stored bytes moved to the unstamped ones.
    public func unstampedSpan(_ span: Range<Int>) -> Range<Int>? {
        guard let u = unstamped else { return span }
        return ByteDifference(start: u.window.lowerBound, oldCount: u.window.count, newCount: u.original.count).map(span)
    }
}

extension AppliedItems {
    /// The item index's section of `applied.state` (`StateWriter`): filter and alias spans,
    /// the unstamped window, and per chain the filter rule of each kernel rule.
    public var encoded: [UInt8] {
        var out = StateWriter(tag: "TNI1", capacity: (filter.count + aliases.count) * 8
                                  + chainItems.values.reduce(0) { $0 + 48 + $1.count * 4 })
        for spans in [filter, aliases] {
            out.u32(spans.count)
            for s in spans {
                out.u32(s.lowerBound)
                out.u32(s.upperBound)
            }
        }
        if let u = unstamped {
            out.u8(1)
            out.u32(u.window.lowerBound)
            out.u32(u.window.upperBound)
            out.data(u.original)
        } else {
            out.u8(0)
        }
        out.chainLists(chainItems) { $0.u32($1) }
        out.u32(groups.count)
        for g in groups {
            out.string(g.chain.family.rawValue)
            out.string(g.chain.table)
            out.string(g.chain.chain)
            out.string(g.set)
            out.u8(g.hasDuplicates ? 1 : 0)
            out.u32(g.owners.count)
            for n in g.owners { out.u32(n) }
        }
        return out.bytes
    }

    /// nil when anything is malformed (the next apply is then a full one).
    public init?(encoded bytes: [UInt8]) {
        let decoded = bytes.withUnsafeBytes { raw -> AppliedItems? in
            guard var r = StateReader(raw, tag: "TNI1") else { return nil }
            func spans() -> [Range<Int>]? {
                guard let n = r.count(of: 8) else { return nil }
                var out: [Range<Int>] = []
                out.reserveCapacity(n)
                for _ in 0..<n {
                    let a = r.u32()!, b = r.u32()!
                    guard a <= b else { return nil }
                    out.append(a..<b)
                }
                return out
            }
            guard let filter = spans(), let aliases = spans(), let flag = r.u8() else { return nil }
            var unstamped: Unstamp?
            if flag == 1 {
                guard let a = r.u32(), let b = r.u32(), a <= b, let original = r.data() else { return nil }
                unstamped = Unstamp(window: a..<b, original: original)
            } else if flag != 0 {
                return nil
            }
            guard let chainItems = r.chainLists(width: 4, { $0.u32()! }), let groupCount = r.count(of: 21) else { return nil }
            var groups: [Group] = []
            for _ in 0..<groupCount {
                guard let f = r.string(), let family = TableFamily(rawValue: f), let table = r.string(),
                      let chain = r.string(), let set = r.string(), let dup = r.u8(), dup <= 1,
                      let n = r.count(of: 4) else { return nil }
                var owners: [Int] = []
                owners.reserveCapacity(n)
                for _ in 0..<n { owners.append(r.u32()!) }
                groups.append(Group(chain: NftRuleHandles.ChainID(family, table: table, chain: chain), set: set,
                                    owners: owners, hasDuplicates: dup == 1))
            }
            guard r.atEnd else { return nil }
            return AppliedItems(filter: filter, aliases: aliases, unstamped: unstamped, chainItems: chainItems,
                                groups: groups)
        }
        guard let decoded else { return nil }
        self = decoded
    }
}
