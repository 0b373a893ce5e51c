import TandemAddress

/// The nftables ruleset Tandem wants in the kernel: the contract between the compiler
/// (Config → Ruleset, pure), the text renderer (Ruleset → nft syntax, for people and for
/// `nft -f` cross-checks) and the netlink committer (Ruleset → one libnftnl batch).
///
/// It is statement-level, like nft's own syntax, not bytecode: the committer linearises
/// each match into the same payload/meta/cmp/lookup expressions `nft` would produce from
/// the rendered text, so both paths leave identical `nft list` output (tested).
public struct Ruleset: Sendable, Hashable {
    public var tables: [Table]

    public init(tables: [Table] = []) { self.tables = tables }
}

public enum TableFamily: String, Sendable, Hashable, CaseIterable {
    case inet, ip, ip6, netdev, bridge, arp
}

/// A table Tandem owns. The committer replaces it whole in one batch (add, delete, add)
/// and never touches any other table.
public struct Table: Sendable, Hashable {
    public var family: TableFamily
    public var name: String
    public var sets: [NamedSet]
    public var chains: [Chain]

    public init(family: TableFamily, name: String, sets: [NamedSet] = [], chains: [Chain] = []) {
        self.family = family
        self.name = name
        self.sets = sets
        self.chains = chains
    }
}

public struct Chain: Sendable, Hashable {
    public var name: String
    /// Present for base chains (attached to a hook); nil for regular chains reached by
    /// jump/goto/vmap.
    public var base: BaseChain?
    public var rules: [Rule]
    public var comment: String?

    public init(name: String, base: BaseChain? = nil, rules: [Rule] = [], comment: String? = nil) {
        self.name = name
        self.base = base
        self.rules = rules
        self.comment = comment
    }
}

public struct BaseChain: Sendable, Hashable {
    public var type: ChainType
    public var hook: Hook
    /// nft priority number (filter 0, dstnat -100, srcnat 100, raw -300, mangle -150).
    public var priority: Int32
    public var policy: ChainPolicy

    public init(type: ChainType, hook: Hook, priority: Int32, policy: ChainPolicy = .accept) {
        self.type = type
        self.hook = hook
        self.priority = priority
        self.policy = policy
    }
}

public enum ChainType: String, Sendable, Hashable { case filter, nat, route }
public enum Hook: String, Sendable, Hashable { case prerouting, input, forward, output, postrouting, ingress }
public enum ChainPolicy: String, Sendable, Hashable { case accept, drop }
