import TandemCompiler
import TandemConfig
import TandemNetlink
import TandemRuleset

/// An apply whose file differs from the applied one inside a single filter rule or alias
/// (or not at all), done without reading the rest of the file's items (issue #3: one rule
/// changed in a 10,000-rule config).
///
/// Both files are reduced to a *skeleton*: every filter rule but the edited one is cut out
/// (all of them for an alias edit), everything else stays. The skeletons are small, so the
/// new one is parsed, validated, compiled and stamped with a revision in a few
/// milliseconds, and the old one compiled to compare with. Because the bytes outside the
/// edited item are the same in both files, the compiled skeletons differ only by what the
/// item makes: its own kernel rules, and the elements of the sets an alias fills. Anything
/// else that differs (a set that appears or goes, a NAT rule that inlines the alias, a
/// chain redefined) means the rules cut out could change too, and the apply is a full one.
///
/// The edited rule's kernel rules are replaced where the old ones are, by the handles and
/// owners recorded with the applied state (`AppliedItems`, `NftRuleHandles`): the
/// committer gets *windows* of the chains (the item's old and new rules beside one kept
/// neighbour, whose handle places the new ones) and of the sets, and plans them as any
/// incremental commit.
public enum ItemEdit {
    public enum Kind: Sendable, Hashable {
        /// The files are the same (a re-apply: a revision, no kernel change).
        case unchanged
        /// `filter/rule[number]` changed.
        case filterRule(number: Int)
        /// The `index`-th (from 0) `<alias>` changed.
        case alias(index: Int)
    }

    /// Where the new file differs from the applied one.
    public struct Location: Sendable {
        public var kind: Kind
        /// The stored applied file and its filter rule spans (the applied skeleton is cut
        /// from it: its revision does not change what compiles).
        public var stored: StableBytes
        public var storedFilter: [Range<Int>]
        /// The new file: the stored one (or the file it was stamped from) with the changed
        /// window replaced by a copy of the new bytes, so nothing refers to the new file's
        /// own pages once it is located.
        public var new: BytePieces
        /// Item spans in the new file.
        public var newFilter: [Range<Int>]
        public var newAliases: [Range<Int>]
    }

    /// Why an edit cannot be applied this way (the apply is then a full one).
    public struct NotApplicable: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// Compares `new` with the stored applied file and, failing that, with the file as it was
    /// given before its revision was stamped (a user who edits the stored config.xml gets
    /// the first, one who keeps their own copy the second).
    public static func locate(new: [UInt8], stored: [UInt8], items: AppliedItems) throws(NotApplicable) -> Location {
        try locate(new: StableBytes(copying: new), stored: StableBytes(copying: stored), items: items)
    }

    public static func locate(new: StableBytes, stored: StableBytes, items: AppliedItems) throws(NotApplicable) -> Location {
        try new.withUnsafeBytes { (b) throws(NotApplicable) -> Location in
            let d = stored.withUnsafeBytes { ByteDifference.between($0, b) }
            if let found = locate(d, new: b, base: BytePieces(stored), stored: stored, items: items, filter: items.filter,
                                  aliases: items.aliases) {
                return found
            }
            if let u = items.unstamped, u.window.upperBound <= stored.count {
                var filter: [Range<Int>] = [], aliases: [Range<Int>] = []
                filter.reserveCapacity(items.filter.count)
                for s in items.filter {
                    guard let m = items.unstampedSpan(s) else { throw NotApplicable("the applied index overlaps the revision") }
                    filter.append(m)
                }
                for s in items.aliases {
                    guard let m = items.unstampedSpan(s) else { throw NotApplicable("the applied index overlaps the revision") }
                    aliases.append(m)
                }
                let d = stored.withUnsafeBytes { ByteDifference.between($0, replacing: u.window, with: u.original, b) }
                let base = BytePieces(stored).replacing(u.window, with: BytePieces(u.original))
                if let found = locate(d, new: b, base: base, stored: stored, items: items, filter: filter, aliases: aliases) {
                    return found
                }
            }
            throw NotApplicable("the file differs from the applied one outside a single filter rule or alias")
        }
    }

    /// `d`: from `base`, the applied file as `filter` and `aliases` index it, to the new one.
    private static func locate(_ d: ByteDifference?, new: UnsafeBufferPointer<UInt8>, base: BytePieces, stored: StableBytes,
                               items: AppliedItems, filter: [Range<Int>], aliases: [Range<Int>]) -> Location? {
        guard let d else {
            return Location(kind: .unchanged, stored: stored, storedFilter: items.filter, new: base, newFilter: filter,
                            newAliases: aliases)
        }
        func moved(_ spans: [Range<Int>], edited: Int?) -> [Range<Int>]? {
            var out: [Range<Int>] = []
            out.reserveCapacity(spans.count)
            for (i, s) in spans.enumerated() {
                if i == edited {
                    out.append(s.lowerBound..<(s.upperBound + d.shift))
                } else if let m = d.map(s) {
                    out.append(m)
                } else {
                    return nil
                }
            }
            return out
        }
        // Outside the window the new file is `base`: only the window is copied from it.
        func newFile() -> BytePieces {
            base.replacing(d.oldRange, with: BytePieces(Array(UnsafeBufferPointer(rebasing: new[d.newRange]))))
        }
        if let i = containing(d, filter), let newFilter = moved(filter, edited: i), let newAliases = moved(aliases, edited: nil) {
            return Location(kind: .filterRule(number: i + 1), stored: stored, storedFilter: items.filter, new: newFile(),
                            newFilter: newFilter, newAliases: newAliases)
        }
        if let i = containing(d, aliases), let newFilter = moved(filter, edited: nil), let newAliases = moved(aliases, edited: i) {
            return Location(kind: .alias(index: i), stored: stored, storedFilter: items.filter, new: newFile(),
                            newFilter: newFilter, newAliases: newAliases)
        }
        return nil
    }

    /// The span (sorted, disjoint) that holds the whole old window.
    private static func containing(_ d: ByteDifference, _ spans: [Range<Int>]) -> Int? {
        var lo = 0, hi = spans.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if spans[mid].lowerBound <= d.start { lo = mid + 1 } else { hi = mid }
        }
        let i = lo - 1
        guard i >= 0, d.start + d.oldCount <= spans[i].upperBound else { return nil }
        return i
    }

    /// The skeleton of the applied file: every filter rule cut but the edited one.
    public static func oldSkeleton(_ location: Location) -> ConfigSkeleton {
        ConfigSkeleton(BytePieces(location.stored), cutting: cuts(location.storedFilter, location.kind))
    }

    /// The skeleton of the new file.
    public static func newSkeleton(_ location: Location) -> ConfigSkeleton {
        ConfigSkeleton(location.new, cutting: cuts(location.newFilter, location.kind))
    }

    private static func cuts(_ spans: [Range<Int>], _ kind: Kind) -> [Range<Int>] {
        guard case .filterRule(let n) = kind else { return spans }
        var out = spans
        out.remove(at: n - 1)
        return out
    }

    /// A skeleton's config with its one filter rule given the number it has in the whole
    /// file (its log tag and its place in messages); checks that the skeleton holds exactly
    /// the items it should.
    public static func numbered(_ config: Config, kind: Kind) throws(NotApplicable) -> Config {
        var config = config
        switch kind {
        case .filterRule(let n):
            guard config.filterRules.count == 1 else {
                throw NotApplicable("the edited filter rule is not one <rule> element")
            }
            // Tag bits are given in order of first use over the whole file: a skeleton of one
            // rule would number them differently from the rules the kernel keeps.
            if !(config.filterRules[0].tag ?? "").isEmpty || !(config.filterRules[0].tagged ?? "").isEmpty {
                throw NotApplicable("the edited filter rule uses pf tags, numbered over the whole file")
            }
            config.filterRules[0].number = n
            config.filterRules[0].location.path = "filter/rule[\(n)]"
        case .alias, .unchanged:
            guard config.filterRules.isEmpty else { throw NotApplicable("the edit adds a filter rule") }
        }
        return config
    }

    /// The chain and set windows for the committer, from the compiled skeletons: what the
    /// kernel holds of them (`previous`, with the handles of its window rules) and what it
    /// must hold (`next`). Also the chains' new rule owners for `AppliedItems`.
    public struct Windows: Sendable {
        public var previous: Ruleset
        public var next: Ruleset
        public var handles: NftRuleHandles
        /// For each chain whose item rules change: the owner list after the commit.
        public var chainItems: [NftRuleHandles.ChainID: [Int]]
        /// The rule groups after the commit.
        public var groups: [AppliedItems.Group]
    }

    /// The rule that stands for the kept neighbour in a window: the same on both sides, so
    /// the planner keeps it and places the item's rules next to its handle.
    static let anchor = Rule(matches: [], statements: [], comment: "tandem window anchor")

    /// `grouping`: whether the config has rule groups on (`SystemConfig.ruleGroups`); the
    /// same in both files, or they differ outside the edited item.
    public static func windows(old: Ruleset, new: Ruleset, kind: Kind, items: AppliedItems,
                               handles: NftRuleHandles, grouping: Bool = false) throws(NotApplicable) -> Windows {
        let number: Int = if case .filterRule(let n) = kind { n } else { -1 }
        let group = items.group(of: number)
        guard old.tables.count == new.tables.count else { throw NotApplicable("the tables differ") }
        var previous = Ruleset(tables: []), next = Ruleset(tables: [])
        var windowHandles = NftRuleHandles()
        var chainItems: [NftRuleHandles.ChainID: [Int]] = [:]
        var groups = items.groups
        for (a, b) in zip(old.tables, new.tables) {
            guard a.family == b.family, a.name == b.name else { throw NotApplicable("the tables differ") }
            guard a.sets.count == b.sets.count else { throw NotApplicable("a set appears or goes in \(a.name)") }
            for (s, t) in zip(a.sets, b.sets) {
                guard s.definitionOnly == t.definitionOnly else { throw NotApplicable("set \(s.name) is redefined, added or removed") }
            }
            guard a.chains.count == b.chains.count else { throw NotApplicable("a chain appears or goes in \(a.name)") }
            var before = a, after = b
            for c in before.chains.indices {
                let x = a.chains[c], y = b.chains[c]
                guard x.name == y.name, x.base == y.base, x.comment == y.comment else {
                    throw NotApplicable("chain \(x.name) is redefined, added or removed")
                }
                let oldItem = x.rules.filter { AppliedItems.filterNumber($0.origin) == number }
                let newItem = y.rules.filter { AppliedItems.filterNumber($0.origin) == number }
                let oldRest = x.rules.filter { AppliedItems.filterNumber($0.origin) != number }
                let newRest = y.rules.filter { AppliedItems.filterNumber($0.origin) != number }
                guard Rule.sameInKernel(oldRest, newRest) else {
                    throw NotApplicable("chain \(x.name) changes beyond the edited item")
                }
                before.chains[c].rules = []
                after.chains[c].rules = []
                guard !Rule.sameInKernel(oldItem, newItem) else { continue }
                let id = NftRuleHandles.ChainID(a.family, table: a.name, chain: x.name)
                if let group, group.chain == id {
                    let (was, now) = try elementWindow(group, old: oldItem, new: newItem, number: number)
                    before.sets.append(was)
                    after.sets.append(now)
                    if now.elements.isEmpty, let g = groups.firstIndex(of: group) {
                        groups[g].owners.removeAll { $0 == number }
                    }
                    continue
                }
                guard let h = handles.chains[id], let owners = items.chainItems[id], h.count == owners.count else {
                    throw NotApplicable("no recorded handles for chain \(x.name)")
                }
                // A short chain without groups cannot gain one whatever the rule becomes.
                if grouping, groups.contains(where: { $0.chain == id })
                    || owners.lazy.filter({ $0 > 0 && $0 != number }).count + newItem.count >= RuleGroups.minimumRun {
                    try requireSameShapes(oldItem, newItem, number: number)
                }
                guard let first = owners.firstIndex(of: number) else {
                    throw NotApplicable("the rule has no kernel rule in chain \(x.name) to replace")
                }
                let last = owners.lastIndex(of: number)!
                guard last - first + 1 == oldItem.count, owners[first...last].allSatisfy({ $0 == number }) else {
                    throw NotApplicable("the recorded rules of filter/rule[\(number)] in \(x.name) are not the compiled ones")
                }
                var windowOld = oldItem, windowNew = newItem, windowH = Array(h[first...last])
                if first > 0 {
                    windowOld.insert(anchor, at: 0)
                    windowNew.insert(anchor, at: 0)
                    windowH.insert(h[first - 1], at: 0)
                } else if last + 1 < h.count {
                    windowOld.append(anchor)
                    windowNew.append(anchor)
                    windowH.append(h[last + 1])
                }
                before.chains[c].rules = windowOld
                after.chains[c].rules = windowNew
                windowHandles.chains[id] = windowH
                var newOwners = owners
                newOwners.replaceSubrange(first...last, with: repeatElement(number, count: newItem.count))
                chainItems[id] = newOwners
            }
            previous.tables.append(before)
            next.tables.append(after)
        }
        return Windows(previous: previous, next: next, handles: windowHandles, chainItems: chainItems, groups: groups)
    }

    /// The edit of a rule held as an element of a group's set: its old and new element, in
    /// the set as the window's before and after. Only a rule that keeps the group's shape
    /// stays in it, and then the group is what a full compile would make. A rule disabled
    /// leaves its element out: its neighbours in the run keep the shape, and the run stays a
    /// group while it has `minimumRun` rules. Anything else (logged, given a range or another
    /// protocol) may split the group, which needs the whole chain.
    static func elementWindow(_ group: AppliedItems.Group, old: [Rule], new: [Rule],
                              number: Int) throws(NotApplicable) -> (before: NamedSet, after: NamedSet) {
        guard !group.hasDuplicates else {
            throw NotApplicable("filter/rule[\(number)] is in a group where a rule repeats another")
        }
        guard old.count == 1, let was = RuleGroups.shape(of: old[0]) else {
            throw NotApplicable("filter/rule[\(number)] is not one rule of its group \(group.set)")
        }
        let types = was.shape.keyTypes
        func set(_ element: (values: [SetValue], rule: Rule)?) -> NamedSet {
            NamedSet(name: group.set, keyType: types[0], concatenated: Array(types.dropFirst()),
                     elements: element.map { [.tuple($0.values, comment: $0.rule.comment)] } ?? [], counters: true)
        }
        if new.isEmpty, group.owners.count - 1 >= RuleGroups.minimumRun {
            return (set((was.values, old[0])), set(nil))
        }
        guard new.count == 1, let now = RuleGroups.shape(of: new[0]), was.shape == now.shape else {
            throw NotApplicable("filter/rule[\(number)] leaves its group \(group.set)")
        }
        return (set((was.values, old[0])), set((now.values, new[0])))
    }

    /// A rule kept as rules changes in place only if each of its kernel rules keeps its
    /// group shape (or has none, as before): a rule that takes one may join a group of its
    /// neighbours, one that drops a kernel rule may join two runs, and the neighbours are not
    /// in the skeleton.
    static func requireSameShapes(_ old: [Rule], _ new: [Rule], number: Int) throws(NotApplicable) {
        guard old.count == new.count,
              zip(old, new).allSatisfy({ RuleGroups.shape(of: $0)?.shape == RuleGroups.shape(of: $1)?.shape }) else {
            throw NotApplicable("filter/rule[\(number)] changes shape: it may join or leave a group of rules")
        }
    }

    /// Where stamping the new skeleton changed it, moved to the new file, and what the
    /// window holds once stamped: the stamped file is the new one with that window replaced
    /// (`ConfigStore.Stamped(bytes:replacing:with:…)`). nil when the window is not in bytes
    /// the skeleton copied from the file.
    public static func stampWindow(skeleton: ConfigSkeleton,
                                   stampedSkeleton: [UInt8]) -> (window: ByteDifference, replacement: [UInt8])? {
        guard let d = ByteDifference.between(skeleton.bytes, stampedSkeleton) else {
            return (ByteDifference(start: 0, oldCount: 0, newCount: 0), [])
        }
        guard let r = skeleton.sourceRange(of: d.oldRange) else { return nil }
        return (ByteDifference(start: r.lowerBound, oldCount: r.count, newCount: d.newCount), Array(stampedSkeleton[d.newRange]))
    }
}
