import CMnl
import CNftnl
import TandemRuleset

/// One rule's counter as the kernel reports it, with the rule's comment (Tandem writes
/// `tracker T: description` for config rules).
public struct RuleCounterSample: Sendable, Hashable {
    public var chain: String
    public var comment: String?
    public var packets: UInt64
    public var bytes: UInt64

    public init(chain: String, comment: String?, packets: UInt64, bytes: UInt64) {
        self.chain = chain
        self.comment = comment
        self.packets = packets
        self.bytes = bytes
    }
}

/// Reads every rule's `counter` of a table: one `NFT_MSG_GETRULE` dump filtered by the kernel
/// to the table (`nf_tables_dump_rules()`), each reply read for its chain, its comment (the
/// `NFTA_RULE_USERDATA` TLV `NFTNL_UDATA_RULE_COMMENT`, as nft writes it) and the
/// `NFTA_COUNTER_PACKETS`/`BYTES` of its counter expression.
public enum NftRuleCounters {
    public static func read(_ family: TableFamily, table: String) throws -> [RuleCounterSample] {
        let session = try NftSession()
        return try session.dumpRules(family, table: table).compactMap { parse($0.payload) }
    }

    // <linux/netfilter/nf_tables.h>
    static let ruleChain: UInt16 = 2        // NFTA_RULE_CHAIN
    static let ruleExpressions: UInt16 = 4  // NFTA_RULE_EXPRESSIONS
    static let ruleUserdata: UInt16 = 7     // NFTA_RULE_USERDATA
    static let listElement: UInt16 = 1      // NFTA_LIST_ELEM
    static let exprName: UInt16 = 1         // NFTA_EXPR_NAME
    static let exprData: UInt16 = 2         // NFTA_EXPR_DATA
    static let counterBytes: UInt16 = 1     // NFTA_COUNTER_BYTES
    static let counterPackets: UInt16 = 2   // NFTA_COUNTER_PACKETS
    static let udataComment: UInt8 = 0      // NFTNL_UDATA_RULE_COMMENT (libnftnl udata.h)

    /// A rule message's payload after nlmsghdr and nfgenmsg; nil without a counter.
    static func parse(_ payload: [UInt8]) -> RuleCounterSample? {
        let top = attributes(payload[...])
        guard let expressions = top[ruleExpressions] else { return nil }
        var found: (UInt64, UInt64)?
        for element in attributesList(expressions) where element.type == listElement {
            let expr = attributes(element.value)
            guard let name = expr[exprName], string(name) == "counter", let data = expr[exprData] else { continue }
            let counter = attributes(data)
            found = (counter[counterPackets].map(u64) ?? 0, counter[counterBytes].map(u64) ?? 0)
            break
        }
        guard let (packets, bytes) = found else { return nil }
        return RuleCounterSample(chain: top[ruleChain].map(string) ?? "", comment: top[ruleUserdata].flatMap(comment),
                                 packets: packets, bytes: bytes)
    }

    /// Netlink attributes (RFC 3549 §2.3.2): 16-bit length, 16-bit type (the top two bits are
    /// flags), the value, padded to four bytes.
    static func attributesList(_ bytes: ArraySlice<UInt8>) -> [(type: UInt16, value: ArraySlice<UInt8>)] {
        var out: [(UInt16, ArraySlice<UInt8>)] = []
        var o = bytes.startIndex
        while o + 4 <= bytes.endIndex {
            let length = Int(UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8)
            let type = (UInt16(bytes[o + 2]) | UInt16(bytes[o + 3]) << 8) & 0x3fff
            guard length >= 4, o + length <= bytes.endIndex else { break }
            out.append((type, bytes[(o + 4)..<(o + length)]))
            o += (length + 3) & ~3
        }
        return out
    }

    static func attributes(_ bytes: ArraySlice<UInt8>) -> [UInt16: ArraySlice<UInt8>] {
        var out: [UInt16: ArraySlice<UInt8>] = [:]
        for a in attributesList(bytes) where out[a.type] == nil { out[a.type] = a.value }
        return out
    }

    static func u64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.count == 8 ? bytes.reduce(0) { $0 << 8 | UInt64($1) } : 0
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The comment TLV of a rule's user data: type, length, value (NUL-terminated).
    static func comment(_ bytes: ArraySlice<UInt8>) -> String? {
        var o = bytes.startIndex
        while o + 2 <= bytes.endIndex {
            let type = bytes[o], length = Int(bytes[o + 1])
            guard o + 2 + length <= bytes.endIndex else { return nil }
            if type == udataComment { return string(bytes[(o + 2)..<(o + 2 + length)]) }
            o += 2 + length
        }
        return nil
    }
}

extension NftSession {
    /// Every rule of a table: a `NFT_MSG_GETRULE` dump with only the table set; a table
    /// that does not exist (yet) has no rules.
    func dumpRules(_ family: TableFamily, table: String) throws -> [Reply] {
        try dumpRules(family, table: table, chain: nil, missingTableIsEmpty: true)
    }
}
