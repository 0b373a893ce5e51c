import TandemRuleset

/// The incremental batch (DESIGN.md "Incremental commit"): only what `RulesetDiff`
/// found, in an order the kernel accepts within one transaction:
/// new chains → new sets → flush changed and removed chains → element deletes/adds →
/// rules of changed and new chains → delete removed sets → delete removed chains.
/// A changed chain is flushed and refilled; an alias with one new address is one
/// NEWSETELEM. Redefined chains or sets cannot be updated in place: the caller falls back
/// to a full replace.
extension NftPlanner {
    enum IncrementalOutcome {
        case plan(NftBatchPlan)
        case needsFullReplace(String)
    }

    mutating func incremental(from old: Ruleset, to new: Ruleset) throws(NftLinearizeError) -> IncrementalOutcome {
        let diff = RulesetDiff(from: old, to: new)
        var plan = NftBatchPlan()
        for table in diff.tablesRemoved {
            plan.add(.deleteTable(table.family, table.name), Self.subject(table))
        }
        for table in diff.tablesAdded {
            plan.add(.newTable(table.family, table.name), Self.subject(table))
            plan.add(.deleteTable(table.family, table.name), Self.subject(table))
            try create(table, into: &plan)
        }
        let oldTables = Dictionary(old.tables.map { ("\($0.family.rawValue) \($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        for changes in diff.tablesChanged {
            if let chain = changes.chainsRedefined.first {
                return .needsFullReplace("chain \(changes.name) \(chain) was redefined")
            }
            if let set = changes.setsRedefined.first {
                return .needsFullReplace("set \(changes.name) \(set) was redefined")
            }
            guard let table = new.tables.first(where: { $0.family == changes.family && $0.name == changes.name }),
                  let before = oldTables["\(changes.family.rawValue) \(changes.name)"] else { continue }
            try update(before, to: table, changes, into: &plan)
        }
        return .plan(plan)
    }

    private mutating func update(_ old: Table, to table: Table, _ c: RulesetDiff.TableChanges,
                                 into plan: inout NftBatchPlan) throws(NftLinearizeError) {
        let f = table.family, name = table.name
        let chains = Dictionary(table.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for chain in c.chainsAdded {
            plan.add(.newChain(f, table: name, Self.definition(chains[chain]!)), Self.subject(table, chain: chain))
        }
        // Existing sets are found by name; sets new in this batch by id as well.
        var ids: [String: (key: NftKeyType, id: UInt32?)] = [:]
        for set in table.sets { ids[set.name] = (NftKeyType(set.keyType), nil) }
        for set in table.sets where c.setsAdded.contains(set.name) {
            let definition = try self.definition(set, table: table)
            ids[set.name] = (definition.key, definition.id)
            addSet(definition, table: table, into: &plan)
        }
        for chain in c.chainsChanged + c.chainsRemoved {
            plan.add(.flushChain(f, table: name, chain: chain), Self.subject(table, chain: chain))
        }
        let oldSets = Dictionary(old.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for set in table.sets {
            guard c.elementsAdded[set.name] != nil || c.elementsRemoved[set.name] != nil,
                  let before = oldSets[set.name] else { continue }
            try updateElements(before, to: set, table: table, into: &plan)
        }
        var linearizer = NftLinearizer(family: f, table: name, namedSets: ids, nextSetID: nextSetID)
        for chain in table.chains where c.chainsChanged.contains(chain.name) || c.chainsAdded.contains(chain.name) {
            try addRules(of: chain, table: table, linearizer: &linearizer, into: &plan)
        }
        nextSetID = linearizer.nextSetID
        for set in c.setsRemoved {
            plan.add(.deleteSet(f, table: name, set: set), Self.subject(table, set: set))
        }
        for chain in c.chainsRemoved {
            plan.add(.deleteChain(f, table: name, chain: chain), Self.subject(table, chain: chain))
        }
    }

    /// Element changes on the kernel encoding: interval sets compare their start/end
    /// elements, so a new address is one start and one end element, and a widened range
    /// moves only its end.
    private mutating func updateElements(_ old: NamedSet, to new: NamedSet, table: Table,
                                         into plan: inout NftBatchPlan) throws(NftLinearizeError) {
        let before = try definition(old, table: table)
        let after = try definition(new, table: table)
        let subject = Self.subject(table, set: new.name)
        let was = Set(before.elements), now = Set(after.elements)
        let removed = before.elements.filter { !now.contains($0) }
        let added = after.elements.filter { !was.contains($0) }
        var start = 0
        while start < removed.count {
            let end = min(start + Self.elementsPerMessage, removed.count)
            plan.add(.deleteElements(table.family, table: table.name, set: new.name, Array(removed[start..<end])), subject)
            start = end
        }
        start = 0
        while start < added.count {
            let end = min(start + Self.elementsPerMessage, added.count)
            plan.add(.newElements(table.family, table: table.name, set: new.name, setID: nil,
                                  isVerdictMap: after.isVerdictMap, Array(added[start..<end])), subject)
            start = end
        }
    }
}
