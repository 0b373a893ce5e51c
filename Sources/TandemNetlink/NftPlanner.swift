import TandemConcurrency
import TandemRuleset

/// Builds batch plans: the whole-table replace (nftables.md §5.2: NEWTABLE without EXCL,
/// DELTABLE, NEWTABLE, then chains, sets, elements, rules) and, in
/// `NftPlanner+Incremental`, the batch carrying only what changed.
struct NftPlanner {
    /// Elements per NEWSETELEM message: keeps each message well under any size limit
    /// while a 100,000-entry alias still needs only ~100 messages.
    static let elementsPerMessage = 1024

    /// The next transaction-unique set id.
    var nextSetID: UInt32 = 1

    static func subject(_ table: Table) -> String { "table \(table.family.rawValue) \(table.name)" }

    static func subject(_ table: Table, chain: String) -> String {
        "chain \(table.family.rawValue) \(table.name) \(chain)"
    }

    static func subject(_ table: Table, set: String) -> String {
        "set \(table.family.rawValue) \(table.name) \(set)"
    }

    /// `filter/rule[12] "allow dns" (tracker 1700…)`, or the rule's position when the
    /// compiler gave no origin.
    static func subject(_ table: Table, chain: Chain, index: Int) -> String {
        if let origin = chain.rules[index].origin { return origin.description }
        return "\(subject(table, chain: chain.name)) rule \(index + 1)"
    }

    /// Replace every table of `ruleset`, leaving all other tables alone.
    mutating func fullReplace(_ ruleset: Ruleset) throws(NftLinearizeError) -> NftBatchPlan {
        var plan = NftBatchPlan()
        for table in ruleset.tables {
            let s = Self.subject(table)
            // The first add makes the delete safe when the table does not exist yet.
            plan.add(.newTable(table.family, table.name), s)
            plan.add(.deleteTable(table.family, table.name), s)
            try create(table, into: &plan)
        }
        return plan
    }

    /// NEWTABLE and everything in it: chains first (so jumps and vmap elements resolve),
    /// then sets with their elements, then rules with their anonymous sets.
    mutating func create(_ table: Table, into plan: inout NftBatchPlan) throws(NftLinearizeError) {
        plan.add(.newTable(table.family, table.name), Self.subject(table))
        for chain in table.chains {
            plan.add(.newChain(table.family, table: table.name, Self.definition(chain)),
                     Self.subject(table, chain: chain.name))
        }
        var ids: [String: (key: NftKeyType, id: UInt32?)] = [:]
        for set in table.sets {
            let definition = try self.definition(set, table: table)
            ids[set.name] = (definition.key, definition.id)
            addSet(definition, table: table, into: &plan)
        }
        // Every rule, in chain order: the batch must list them in that order.
        var rules: [(chain: Int, rule: Int)] = []
        rules.reserveCapacity(table.chains.reduce(0) { $0 + $1.rules.count })
        for (c, chain) in table.chains.enumerated() {
            for r in chain.rules.indices { rules.append((c, r)) }
        }
        let first = NftLinearizer(family: table.family, table: table.name, namedSets: ids, nextSetID: nextSetID)
        guard rules.count >= TwoCores.threshold else {
            var linearizer = first
            try Self.addRules(rules[...], of: table, linearizer: &linearizer, into: &plan)
            nextSetID = linearizer.nextSetID
            return
        }
        // Two contiguous halves linearized at once. Anonymous sets only need batch-unique
        // ids, so the second half numbers its own from far above the first's.
        let half = rules.count / 2
        let secondBase = nextSetID &+ Self.secondHalfSetIDs
        let (firstPlan, second) = try TwoCores.run({ () throws(NftLinearizeError) in
            var linearizer = first
            var p = NftBatchPlan()
            try Self.addRules(rules[..<half], of: table, linearizer: &linearizer, into: &p)
            return p
        }, { [rules, ids] () throws(NftLinearizeError) in
            var linearizer = NftLinearizer(family: table.family, table: table.name, namedSets: ids, nextSetID: secondBase)
            var p = NftBatchPlan()
            try Self.addRules(rules[half...], of: table, linearizer: &linearizer, into: &p)
            return (p, linearizer.nextSetID)
        })
        plan.append(firstPlan)
        plan.append(second.0)
        nextSetID = second.1
    }

    /// Where the second half's anonymous set ids start, above any id the first half can use
    /// (each anonymous set is a message of its own, so a half never holds 2^24 of them).
    static let secondHalfSetIDs: UInt32 = 1 << 24

    static func addRules(_ rules: ArraySlice<(chain: Int, rule: Int)>, of table: Table, linearizer: inout NftLinearizer,
                         into plan: inout NftBatchPlan) throws(NftLinearizeError) {
        for (c, r) in rules {
            try addRule(table.chains[c], r, table: table, position: .end, linearizer: &linearizer, into: &plan)
        }
    }

    /// Comments as the renderer prints them: cleaned, cut to 128 bytes, empty = none.
    static func comment(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return Canonical.comment(text)
    }

    static func definition(_ chain: Chain) -> NftChainDefinition {
        NftChainDefinition(name: chain.name, base: chain.base, comment: Self.comment(chain.comment))
    }

    /// A named set's kernel definition with a fresh id and its encoded elements.
    mutating func definition(_ set: NamedSet, table: Table) throws(NftLinearizeError) -> NftSetDefinition {
        let key = NftKeyType(set.keyTypes)
        let interval = set.flags.contains(.interval)
        var flags: UInt32 = 0
        if interval { flags |= NftSetFlag.interval }
        if set.flags.contains(.constant) { flags |= NftSetFlag.constant }
        if set.dataType == .verdict { flags |= NftSetFlag.map }
        let elements = try NftEncoding.elements(set.elements, key: key, interval: interval,
                                                set: Self.subject(table, set: set.name))
        let id = nextSetID
        nextSetID += 1
        return NftSetDefinition(name: set.name, id: id, flags: flags, key: key,
                                isVerdictMap: set.dataType == .verdict, comment: Self.comment(set.comment),
                                elements: elements, counters: set.counters)
    }

    func addSet(_ set: NftSetDefinition, table: Table, into plan: inout NftBatchPlan) {
        let s = set.isAnonymous ? Self.subject(table) : Self.subject(table, set: set.name)
        plan.add(.newSet(table.family, table: table.name, set), s)
        Self.addElements(set.elements, to: set, table: table, into: &plan)
    }

    static func addElements(_ elements: [NftSetElement], to set: NftSetDefinition, table: Table,
                     into plan: inout NftBatchPlan) {
        let s = set.isAnonymous ? Self.subject(table) : Self.subject(table, set: set.name)
        var start = 0
        while start < elements.count {
            let end = min(start + Self.elementsPerMessage, elements.count)
            plan.add(.newElements(table.family, table: table.name, set: set.name, setID: set.id,
                                  isVerdictMap: set.isVerdictMap, Array(elements[start..<end])), s)
            start = end
        }
    }

    /// One rule (and the anonymous sets it binds) at `position` in its chain.
    static func addRule(_ chain: Chain, _ index: Int, table: Table, position: NftRulePosition,
                 linearizer: inout NftLinearizer, into plan: inout NftBatchPlan) throws(NftLinearizeError) {
        let subject = Self.subject(table, chain: chain, index: index)
        // The renderer's canonical form (explicit dependencies, cleaned comment and log
        // prefix), so this path and `nft -f` of the rendered text agree.
        let rule = chain.rules[index].canonicalized()
        let linear = try linearizer.linearize(rule, place: subject)
        for set in linear.anonymousSets {
            // Anonymous sets are errors of the rule that binds them.
            plan.add(.newSet(table.family, table: table.name, set), subject)
            var p = NftBatchPlan()
            addElements(set.elements, to: set, table: table, into: &p)
            for m in p.messages { plan.add(m, subject) }
        }
        plan.add(.newRule(table.family, table: table.name, chain: chain.name, expressions: linear.expressions,
                          comment: Self.comment(rule.comment), position: position), subject)
    }
}

extension Rule {
    /// What the kernel holds of a rule: its canonical form without the origin, which only
    /// names the config item. Rules that differ only in origin need no kernel change.
    var kernelForm: Rule {
        var r = canonicalized()
        r.origin = nil
        return r
    }

    /// Same kernel rule; the fields the kernel sees compared as they are first, so
    /// unchanged rules are never canonicalised, nor are rules that only moved in config.xml
    /// (every rule after an inserted one has another origin path and line). Canonical form
    /// depends on these three fields only.
    public func sameInKernel(as other: Rule) -> Bool {
        (matches == other.matches && statements == other.statements && comment == other.comment)
            || kernelForm == other.kernelForm
    }

    public static func sameInKernel(_ a: [Rule], _ b: [Rule]) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count >= TwoCores.threshold else { return sameInKernel(a[...], b[...]) }
        // An unchanged long chain is compared rule by rule (an alias entry added to a
        // 10,000-rule config compares every rule): in two halves at once.
        let half = a.count / 2
        let (first, second) = TwoCores.run({ sameInKernel(a[..<half], b[..<half]) },
                                           { sameInKernel(a[half...], b[half...]) })
        return first && second
    }

    private static func sameInKernel(_ a: ArraySlice<Rule>, _ b: ArraySlice<Rule>) -> Bool {
        zip(a, b).allSatisfy { $0.sameInKernel(as: $1) }
    }
}
