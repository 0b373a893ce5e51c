import TandemRuleset

/// The kernel handle of every rule Tandem committed, per chain in rule order, as of the
/// commit that moved the kernel to a recorded generation. An incremental commit deletes
/// and positions rules by handle; knowing them saves dumping the chain (a 10,000-rule chain
/// dump costs about as much as the rest of the commit). Valid only while the kernel is at
/// that generation, which the committer checks before it uses them.
///
/// How they are known (nf_tables_api.c): every chain, set (anonymous ones included) and rule
/// created in a table takes the next value of that table's handle counter
/// (`nf_tables_alloc_handle`: `++table->hgenerator`), and a table created in a batch starts
/// at 0. A full replace creates a fresh table, so its handles follow from the order of the
/// batch. In an existing table aborted batches also advance the counter, so an incremental
/// commit asks the kernel to echo its new rules (`NLM_F_ECHO`) and reads their handles.
public struct NftRuleHandles: Sendable, Hashable {
    public struct ChainID: Sendable, Hashable, Comparable {
        public var family: TableFamily
        public var table: String
        public var chain: String

        public init(_ family: TableFamily, table: String, chain: String) {
            self.family = family
            self.table = table
            self.chain = chain
        }

        public static func < (a: ChainID, b: ChainID) -> Bool {
            (a.family.rawValue, a.table, a.chain) < (b.family.rawValue, b.table, b.chain)
        }
    }

    public var chains: [ChainID: [UInt64]]

    public init(chains: [ChainID: [UInt64]] = [:]) {
        self.chains = chains
    }

    public subscript(_ family: TableFamily, table table: String, chain chain: String) -> [UInt64]? {
        chains[ChainID(family, table: table, chain: chain)]
    }
}

extension NftRuleHandles {
    /// Why handles could not be followed through a batch.
    struct Unknown: Error, Equatable {
        var reason: String
    }

    /// The handles after the kernel committed `plan`, starting from `before` (what the
    /// kernel held; ignored for tables the plan creates). `echoed`: handles the kernel
    /// reported for the plan's NEWRULE messages, by message index; a NEWRULE in a table
    /// created by this plan without an echo gets the predicted handle.
    static func after(_ plan: NftBatchPlan, before: NftRuleHandles?, echoed: [Int: UInt64]) throws(Unknown) -> NftRuleHandles {
        var chains = before?.chains ?? [:]
        // Tables created in this batch and their handle counters.
        var counters: [TableKey: UInt64] = [:]
        for (index, message) in plan.messages.enumerated() {
            switch message {
            case .newTable(let f, let t):
                // NEWTABLE without EXCL on an existing table changes nothing; after a
                // DELTABLE in the same batch it creates the table afresh (counter 0).
                let key = TableKey(f, t)
                if counters[key] == nil, before != nil, chains.keys.contains(where: { $0.family == f && $0.table == t }) {
                    continue
                }
                counters[key] = 0
            case .deleteTable(let f, let t):
                chains = chains.filter { !($0.key.family == f && $0.key.table == t) }
                counters[TableKey(f, t)] = nil
            case .newChain(let f, let t, let definition):
                chains[ChainID(f, table: t, chain: definition.name)] = []
                counters[TableKey(f, t)]? += 1
            case .deleteChain(let f, let t, let c):
                chains[ChainID(f, table: t, chain: c)] = nil
            case .flushChain(let f, let t, let c):
                chains[ChainID(f, table: t, chain: c)] = []
            case .newSet(let f, let t, _):
                counters[TableKey(f, t)]? += 1
            case .deleteSet, .newElements, .deleteElements:
                break
            case .newRule(let f, let t, let c, _, _, let position):
                let id = ChainID(f, table: t, chain: c)
                let handle: UInt64
                if let h = echoed[index] {
                    handle = h
                    if counters[TableKey(f, t)] != nil { counters[TableKey(f, t)] = h }
                } else if let n = counters[TableKey(f, t)] {
                    handle = n + 1
                    counters[TableKey(f, t)] = handle
                } else {
                    throw Unknown(reason: "no handle for NEWRULE #\(index) in \(f.rawValue) \(t) \(c)")
                }
                guard chains[id] != nil else { throw Unknown(reason: "NEWRULE #\(index): chain \(c) is not known") }
                // Edited in place (`chains[id]!`), not copied out and back: a full replace
                // appends 10,000s of rules to one chain.
                switch position {
                case .end: chains[id]!.append(handle)
                case .after(let h):
                    guard let i = chains[id]!.firstIndex(of: h) else { throw Unknown(reason: "NEWRULE #\(index): no rule \(h) in \(c)") }
                    chains[id]!.insert(handle, at: i + 1)
                case .before(let h):
                    guard let i = chains[id]!.firstIndex(of: h) else { throw Unknown(reason: "NEWRULE #\(index): no rule \(h) in \(c)") }
                    chains[id]!.insert(handle, at: i)
                }
            case .deleteRule(let f, let t, let c, let h):
                let id = ChainID(f, table: t, chain: c)
                guard let i = chains[id]?.firstIndex(of: h) else { throw Unknown(reason: "DELRULE #\(index): no rule \(h) in \(c)") }
                chains[id]!.remove(at: i)
            }
        }
        return NftRuleHandles(chains: chains)
    }

    private struct TableKey: Hashable {
        var family: TableFamily
        var table: String
        init(_ family: TableFamily, _ table: String) {
            self.family = family
            self.table = table
        }
    }
}

extension NftRuleHandles {
    /// The handles' section of `applied.state` (`StateWriter`): per chain, family, table and
    /// name, then its handles.
    public var encoded: [UInt8] {
        var out = StateWriter(tag: "TNH1", capacity: chains.values.reduce(4) { $0 + 48 + $1.count * 8 })
        out.chainLists(chains) { $0.u64($1) }
        return out.bytes
    }

    /// nil when anything is malformed (the caller then dumps handles).
    public init?(encoded bytes: [UInt8]) {
        let chains = bytes.withUnsafeBytes { raw -> [ChainID: [UInt64]]? in
            guard var r = StateReader(raw, tag: "TNH1"), let chains = r.chainLists(width: 8, { $0.u64()! }) else { return nil }
            return r.atEnd ? chains : nil
        }
        guard let chains else { return nil }
        self.init(chains: chains)
    }
}

extension StateWriter {
    /// A count, then for each chain (in order) its family, table and name, and its list.
    public mutating func chainLists<T>(_ lists: [NftRuleHandles.ChainID: [T]], _ element: (inout StateWriter, T) -> Void) {
        u32(lists.count)
        // A loop, not `keys.sorted()`: the standard library's unspecialized copy of a
        // dictionary's keys looks its generic types up by name at first use (~0.2 ms).
        var ids: [NftRuleHandles.ChainID] = []
        ids.reserveCapacity(lists.count)
        for id in lists.keys { ids.append(id) }
        ids.sort()
        for id in ids {
            string(id.family.rawValue)
            string(id.table)
            string(id.chain)
            let list = lists[id]!
            u32(list.count)
            for value in list { element(&self, value) }
        }
    }
}

extension StateReader {
    /// What `StateWriter.chainLists` wrote, each element `width` bytes read by `element`
    /// (which may force its read: the count was checked against what is left).
    public mutating func chainLists<T>(width: Int, _ element: (inout StateReader) -> T) -> [NftRuleHandles.ChainID: [T]]? {
        guard let n = count(of: 16) else { return nil }
        var lists: [NftRuleHandles.ChainID: [T]] = [:]
        lists.reserveCapacity(n)
        for _ in 0..<n {
            guard let f = string(), let family = TableFamily(rawValue: f), let table = string(), let chain = string(),
                  let c = count(of: width) else { return nil }
            var list: [T] = []
            list.reserveCapacity(c)
            for _ in 0..<c { list.append(element(&self)) }
            lists[NftRuleHandles.ChainID(family, table: table, chain: chain)] = list
        }
        return lists
    }
}
