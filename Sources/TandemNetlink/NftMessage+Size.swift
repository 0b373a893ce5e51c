/// Why a batch message cannot be encoded: a field longer than the kernel accepts. Found
/// before libnftnl writes anything, because libnftnl and libmnl write attributes without
/// checking the buffer (`mnl_attr_put` has no length argument).
public struct NftEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message, as `NEWSET inet tandem`.
    public var message: String
    /// The field, as `set name` or `rule 3 expression cmp data`.
    public var field: String
    public var length: Int
    public var limit: Int

    public var description: String {
        "\(message): \(field) is \(length) bytes, the kernel accepts at most \(limit)"
    }
}

/// The kernel's limits on the variable-length parts of nf_tables messages
/// (include/uapi/linux/netfilter/nf_tables.h and the attribute policies in
/// net/netfilter/nf_tables_api.c).
enum NftLimit {
    /// NFT_NAME_MAXLEN (256) less the NUL: table, chain and set names (`.len = NFT_NAME_MAXLEN - 1`).
    static let name = 255
    /// NFT_USERDATA_MAXLEN: a rule's, set's, chain's or element's user data.
    static let userData = 256
    /// NFT_DATA_VALUE_MAXLEN: an immediate, cmp, range, bitwise or element key value.
    static let dataValue = 64
    /// NF_LOG_PREFIXLEN (128) less the NUL (`nft_log_policy`).
    static let logPrefix = 127
    /// NFTNL_UDATA_COMMENT_MAXLEN (128) with the NUL: the comment text nft writes.
    static let commentText = 127
}

extension NftMessage {
    /// Checks every variable-length field against the kernel's limit.
    func checkLimits() throws(NftEncodingError) {
        func check(_ field: String, _ length: Int, _ limit: Int) throws(NftEncodingError) {
            guard length <= limit else {
                throw NftEncodingError(message: "\(kind) \(place)", field: field, length: length, limit: limit)
            }
        }
        func name(_ field: String, _ text: String) throws(NftEncodingError) {
            try check(field, text.utf8.count, NftLimit.name)
        }
        switch self {
        case .newTable(_, let t), .deleteTable(_, let t):
            try name("table name", t)
        case .newChain(_, let t, let def):
            try name("table name", t)
            try name("chain name", def.name)
        case .deleteChain(_, let t, let c), .flushChain(_, let t, let c), .deleteRule(_, let t, let c, _):
            try name("table name", t)
            try name("chain name", c)
        case .newSet(_, let t, let def):
            try name("table name", t)
            try name("set name", def.name)
            try check("set key", Int(def.key.length), NftLimit.dataValue)
            try Self.checkElements(def.elements, check)
        case .deleteSet(_, let t, let s):
            try name("table name", t)
            try name("set name", s)
        case .newElements(_, let t, let s, _, _, let elements, _), .deleteElements(_, let t, let s, let elements):
            try name("table name", t)
            try name("set name", s)
            try Self.checkElements(elements, check)
        case .newRule(_, let t, let c, let expressions, _, _):
            try name("table name", t)
            try name("chain name", c)
            for (i, e) in expressions.enumerated() {
                try e.forEachVariableField { (field, length, limit) throws(NftEncodingError) in
                    try check("expression \(i + 1) \(field)", length, limit)
                }
            }
        }
    }

    private static func checkElements(_ elements: [NftSetElement],
                                      _ check: (String, Int, Int) throws(NftEncodingError) -> Void) throws(NftEncodingError) {
        for (i, e) in elements.enumerated() {
            try check("element \(i + 1) key", e.key.count, NftLimit.dataValue)
            if let chain = e.chain { try check("element \(i + 1) chain name", chain.utf8.count, NftLimit.name) }
        }
    }

    /// `inet tandem` or `inet tandem filter_in`: where the message acts, for errors. Names
    /// are cut so that an oversize one does not make an oversize error.
    var place: String {
        func short(_ s: String) -> String { s.utf8.count <= 64 ? s : String(s.prefix(48)) + "…" }
        switch self {
        case .newTable(let f, let t), .deleteTable(let f, let t):
            return "\(f.rawValue) \(short(t))"
        case .newChain(let f, let t, let def):
            return "\(f.rawValue) \(short(t)) \(short(def.name))"
        case .deleteChain(let f, let t, let c), .flushChain(let f, let t, let c), .deleteRule(let f, let t, let c, _),
             .newRule(let f, let t, let c, _, _, _):
            return "\(f.rawValue) \(short(t)) \(short(c))"
        case .newSet(let f, let t, let def):
            return "\(f.rawValue) \(short(t)) \(short(def.name))"
        case .deleteSet(let f, let t, let s), .newElements(let f, let t, let s, _, _, _, _),
             .deleteElements(let f, let t, let s, _):
            return "\(f.rawValue) \(short(t)) \(short(s))"
        }
    }

    /// An upper bound of the message's encoded size, from its contents: netlink header and
    /// nfgenmsg, every fixed attribute, and each string or byte field with its attribute
    /// header, NUL and padding. The batch buffer reserves this much before libnftnl writes.
    var encodedSizeBound: Int {
        // Header (16) + nfgenmsg (4) + the fixed attributes any message has (family, flags,
        // handle, position, hook nest, policy, id, key type/len, data type/len, size nest):
        // each at most 12 bytes; 256 covers them with room to spare.
        let fixed = 256
        switch self {
        case .newTable(_, let t), .deleteTable(_, let t):
            return fixed + Self.string(t)
        case .newChain(_, let t, let def):
            return fixed + Self.string(t) + Self.string(def.name) + Self.string(def.base?.type.rawValue ?? "")
                + Self.userData(def.comment)
        case .deleteChain(_, let t, let c), .flushChain(_, let t, let c), .deleteRule(_, let t, let c, _):
            return fixed + Self.string(t) + Self.string(c)
        case .newSet(_, let t, let def):
            // User data: key (and data) byte order TLVs and the comment; one counter expression.
            return fixed + Self.string(t) + Self.string(def.name) + Self.userData(def.comment) + 64
        case .deleteSet(_, let t, let s):
            return fixed + Self.string(t) + Self.string(s)
        case .newElements(_, let t, let s, _, _, let elements, _), .deleteElements(_, let t, let s, let elements):
            return fixed + Self.string(t) + Self.string(s) + Self.elementsBound(elements)
        case .newRule(_, let t, let c, let expressions, let comment, _):
            return fixed + Self.string(t) + Self.string(c) + Self.userData(comment)
                + expressions.reduce(0) { $0 + $1.encodedSizeBound }
        }
    }

    /// A string attribute: header, bytes, NUL, padding to 4.
    static func string(_ s: String) -> Int { 4 + align(s.utf8.count + 1) }

    /// A byte attribute nested in an NFTA_DATA_VALUE (two headers).
    static func data(_ count: Int) -> Int { 8 + align(count) }

    /// A user-data attribute holding a comment TLV (2-byte header, text cut to
    /// `NftLimit.commentText`, NUL) and, for sets, the byte-order TLVs.
    static func userData(_ comment: String?) -> Int {
        guard let comment else { return 0 }
        return 4 + align(2 + min(comment.utf8.count, NftLimit.commentText) + 1)
    }

    static func elementsBound(_ elements: [NftSetElement]) -> Int {
        elements.reduce(0) { sum, e in
            // List-element nest, key nest, flags, verdict nest with code.
            sum + 64 + data(e.key.count) + (e.chain.map(string) ?? 0) + userData(e.comment)
        }
    }

    static func align(_ n: Int) -> Int { (n + 3) & ~3 }
}

extension NftExpression {
    /// Calls `body` with each variable-length field: its name, length and the kernel's
    /// limit (a closure, not an array: this runs for every expression of every rule).
    func forEachVariableField<E: Error>(_ body: (String, Int, Int) throws(E) -> Void) throws(E) {
        switch self {
        case .cmp(_, _, let data): try body("cmp data", data.count, NftLimit.dataValue)
        case .bitwise(_, _, let mask, let xor):
            try body("bitwise mask", mask.count, NftLimit.dataValue)
            try body("bitwise xor", xor.count, NftLimit.dataValue)
        case .range(_, _, let from, let to):
            try body("range from", from.count, NftLimit.dataValue)
            try body("range to", to.count, NftLimit.dataValue)
        case .lookup(_, _, let set, _): try body("lookup set name", set.name.utf8.count, NftLimit.name)
        case .immediateData(_, let data): try body("immediate data", data.count, NftLimit.dataValue)
        case .immediateVerdict(_, let chain): try body("jump chain name", chain?.utf8.count ?? 0, NftLimit.name)
        case .log(let prefix, _, _): try body("log prefix", prefix?.utf8.count ?? 0, NftLimit.logPrefix)
        case .meta, .metaSet, .payload, .ct, .ctSet, .nat, .masquerade, .counter, .reject, .notrack, .fib,
             .byteorderHton: break
        }
    }

    /// List-element nest, name ("immediate" and the like: at most 16), data nest, and at
    /// most seven 12-byte attributes: 128, plus the variable fields, each a string or a
    /// value nested in NFTA_DATA_VALUE (or a verdict nest for a jump's chain).
    var encodedSizeBound: Int {
        var size = 128
        forEachVariableField { (_, length, _) in size += NftMessage.data(length + 1) + 8 }
        return size
    }
}
