import TandemRuleset

/// The incremental batch (DESIGN.md "Incremental commit"): only what `RulesetDiff`
/// found, in an order the kernel accepts within one transaction:
/// new chains → new sets → flush changed and removed chains → element deletes/adds →
/// rules of changed and new chains → delete removed sets → delete removed chains.
/// In a changed chain only the rules that changed are replaced (`RuleListEdit`: DELRULE by
/// handle, NEWRULE next to a kept rule), given the chain's rule handles;
/// without them the chain is flushed and refilled. An alias with one new address is one
/// NEWSETELEM. Redefined chains or sets cannot be updated in place: the caller falls back
/// to a full replace.
extension NftPlanner {
    enum IncrementalOutcome {
        case plan(NftBatchPlan)
        case needsFullReplace(String)
    }

    /// `handles(family, table, chain)` gives the kernel handles of a chain's rules in order
    /// (nil when unknown).
    mutating func incremental(from old: Ruleset, to new: Ruleset,
                              handles: (TableFamily, String, String) throws -> [UInt64]? = { _, _, _ in nil }) throws -> IncrementalOutcome {
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
            // A group of rules split or joined (`RuleGroups`) renumbers the groups after it in
            // their chain, whose sets then hold other rules: the whole table is made again.
            if let set = table.sets.first(where: { $0.ruleGroup != nil && changes.setsAdded.contains($0.name) }) {
                return .needsFullReplace("rule group \(changes.name) \(set.name) is new")
            }
            try update(before, to: table, changes, handles: handles, into: &plan)
        }
        return .plan(plan)
    }

    private mutating func update(_ old: Table, to table: Table, _ c: RulesetDiff.TableChanges,
                                 handles: (TableFamily, String, String) throws -> [UInt64]?,
                                 into plan: inout NftBatchPlan) throws {
        let f = table.family, name = table.name
        let chains = Dictionary(table.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for chain in c.chainsAdded {
            plan.add(.newChain(f, table: name, Self.definition(chains[chain]!)), Self.subject(table, chain: chain))
        }
        // Existing sets are found by name; sets new in this batch by id as well.
        var ids: [String: (key: NftKeyType, id: UInt32?)] = [:]
        for set in table.sets { ids[set.name] = (NftKeyType(set.keyTypes), nil) }
        for set in table.sets where c.setsAdded.contains(set.name) {
            let definition = try self.definition(set, table: table)
            ids[set.name] = (definition.key, definition.id)
            addSet(definition, table: table, into: &plan)
        }
        let oldChains = Dictionary(old.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var edits: [String: [UInt64]] = [:]
        for chain in c.chainsChanged {
            if let h = try handles(f, name, chain), h.count == oldChains[chain]?.rules.count, !h.isEmpty {
                edits[chain] = h
            } else {
                plan.add(.flushChain(f, table: name, chain: chain), Self.subject(table, chain: chain))
            }
        }
        for chain in c.chainsRemoved {
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
            if let h = edits[chain.name], let before = oldChains[chain.name] {
                try editRules(before, to: chain, handles: h, table: table, linearizer: &linearizer, into: &plan)
            } else {
                for index in chain.rules.indices {
                    try Self.addRule(chain, index, table: table, position: .end, linearizer: &linearizer, into: &plan)
                }
            }
        }
        nextSetID = linearizer.nextSetID
        for set in c.setsRemoved {
            plan.add(.deleteSet(f, table: name, set: set), Self.subject(table, set: set))
        }
        for chain in c.chainsRemoved {
            plan.add(.deleteChain(f, table: name, chain: chain), Self.subject(table, chain: chain))
        }
    }

    /// Replaces only the rules that changed (`RuleListEdit`): the old ones by handle, the new
    /// ones placed next to a kept rule.
    private func editRules(_ old: Chain, to new: Chain, handles: [UInt64], table: Table,
                           linearizer: inout NftLinearizer, into plan: inout NftBatchPlan) throws(NftLinearizeError) {
        let edit = RuleListEdit(from: old.rules, to: new.rules) { $0.sameInKernel(as: $1) }
        for i in edit.removed {
            plan.add(.deleteRule(table.family, table: table.name, chain: new.name, handle: handles[i]),
                     Self.subject(table, chain: old, index: i))
        }
        for insertion in edit.inserted {
            let position: NftRulePosition = switch insertion.anchor {
            case .after(let k): .after(handle: handles[k])
            case .before(let k): .before(handle: handles[k])
            case .end: .end
            }
            try Self.addRule(new, insertion.index, table: table, position: position, linearizer: &linearizer, into: &plan)
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
            // A rule group's element is one rule's: one already there is another rule's, and
            // taking it as added would tie the two (the kernel refuses it instead).
            plan.add(.newElements(table.family, table: table.name, set: new.name, setID: nil,
                                  isVerdictMap: after.isVerdictMap, Array(added[start..<end]), exclusive: after.counters),
                     subject)
            start = end
        }
    }
}
