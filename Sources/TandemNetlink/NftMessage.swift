import TandemRuleset

/// One message of an nftables batch, before encoding: what `NftMessageEncoder` turns into
/// a libnftnl object and a netlink message. Pure values, so plans can be inspected and
/// counted in tests (an alias with one new address is one `.newElements`).
enum NftMessage: Sendable, Hashable {
    case newTable(TableFamily, String)
    case deleteTable(TableFamily, String)
    case newChain(TableFamily, table: String, NftChainDefinition)
    case deleteChain(TableFamily, table: String, chain: String)
    /// `NFT_MSG_DELRULE` naming only table and chain: deletes every rule of the chain.
    case flushChain(TableFamily, table: String, chain: String)
    case newSet(TableFamily, table: String, NftSetDefinition)
    case deleteSet(TableFamily, table: String, set: String)
    /// `exclusive`: NLM_F_EXCL, an element already in the set is refused (EEXIST) rather
    /// than taken as added.
    case newElements(TableFamily, table: String, set: String, setID: UInt32?, isVerdictMap: Bool, [NftSetElement],
                     exclusive: Bool = false)
    case deleteElements(TableFamily, table: String, set: String, [NftSetElement])
    case newRule(TableFamily, table: String, chain: String, expressions: [NftExpression], comment: String?,
                 position: NftRulePosition = .end)
    /// `NFT_MSG_DELRULE` of one rule, by its kernel handle.
    case deleteRule(TableFamily, table: String, chain: String, handle: UInt64)

    /// Short kind name used in message counts (`tandem apply -v`, tests, benchmarks).
    var kind: String {
        switch self {
        case .newTable: "NEWTABLE"
        case .deleteTable: "DELTABLE"
        case .newChain: "NEWCHAIN"
        case .deleteChain: "DELCHAIN"
        case .flushChain: "DELRULE"
        case .newSet: "NEWSET"
        case .deleteSet: "DELSET"
        case .newElements: "NEWSETELEM"
        case .deleteElements: "DELSETELEM"
        case .newRule: "NEWRULE"
        case .deleteRule: "DELRULE"
        }
    }
}

/// Where NEWRULE puts the rule: appended, or next to an existing rule (`NFTA_RULE_POSITION`
/// with `NLM_F_APPEND` for after, without for before).
enum NftRulePosition: Sendable, Hashable {
    case end
    case after(handle: UInt64)
    case before(handle: UInt64)
}

/// A chain's own attributes (not its rules).
struct NftChainDefinition: Sendable, Hashable {
    var name: String
    var base: BaseChain?
    var comment: String?
}

/// The messages of one batch (between BEGIN and END) with, for each, the thing it is
/// about, so a kernel error on message N names the config item: a rule's `RuleOrigin`,
/// or `set inet tandem lan_hosts`.
struct NftBatchPlan: Sendable {
    var messages: [NftMessage] = []
    var subjects: [String] = []

    mutating func add(_ message: NftMessage, _ subject: String) {
        messages.append(message)
        subjects.append(subject)
    }

    mutating func append(_ other: NftBatchPlan) {
        messages.append(contentsOf: other.messages)
        subjects.append(contentsOf: other.subjects)
    }

    var counts: [String: Int] {
        messages.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }
}
