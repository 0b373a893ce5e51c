/// One nf_tables expression, as libnftnl builds it: the linearised form of a rule.
///
/// This is the pure half of the committer: `NftLinearizer` turns the statement-level IR
/// (`Match`, `Statement`) into these values, and `NftMessageEncoder` turns them into
/// libnftnl objects. The constants are the kernel's (`linux/netfilter/nf_tables.h`);
/// tests compare against what `nft --debug=netlink` prints for the same rule.
enum NftExpression: Sendable, Hashable {
    /// `[ meta load KEY => reg D ]`
    case meta(NftMetaKey, dreg: UInt32 = 1)
    /// `[ meta set KEY with reg S ]`
    case metaSet(NftMetaKey, sreg: UInt32 = 1)
    /// `[ cmp OP reg S DATA ]`
    case cmp(NftCmpOp, sreg: UInt32 = 1, data: [UInt8])
    /// `[ payload load LENb @ BASE header + OFFSET => reg D ]`
    case payload(NftPayloadBase, offset: UInt32, length: UInt32, dreg: UInt32 = 1)
    /// `[ bitwise reg D = ( reg S & MASK ) ^ XOR ]`
    case bitwise(sreg: UInt32 = 1, dreg: UInt32 = 1, mask: [UInt8], xor: [UInt8])
    /// `[ range OP reg S FROM TO ]`
    case range(NftRangeOp, sreg: UInt32 = 1, from: [UInt8], to: [UInt8])
    /// `[ lookup reg S set NAME [dreg D] [0x1] ]`; `dreg` 0 is the verdict register (vmap).
    case lookup(sreg: UInt32 = 1, dreg: UInt32? = nil, set: NftSetReference, invert: Bool = false)
    /// `[ ct load KEY => reg D ]`
    case ct(NftCtKey, dreg: UInt32 = 1)
    /// `[ ct set KEY with reg S ]`
    case ctSet(NftCtKey, sreg: UInt32 = 1)
    /// `[ immediate reg D DATA ]`
    case immediateData(dreg: UInt32, data: [UInt8])
    /// `[ immediate reg 0 VERDICT [-> CHAIN] ]`
    case immediateVerdict(NftVerdictCode, chain: String? = nil)
    /// `[ nat TYPE FAMILY addr_min reg … flags … ]`; nil registers are left out.
    case nat(NftNatType, family: UInt32, addressMin: UInt32?, addressMax: UInt32?,
             protoMin: UInt32?, protoMax: UInt32?, flags: UInt32)
    /// `[ masq [proto_min reg …] [flags …] ]`
    case masquerade(flags: UInt32, protoMin: UInt32?, protoMax: UInt32?)
    /// `[ log [prefix P] [level L] [group G] ]`
    case log(prefix: String?, level: UInt32?, group: UInt16?)
    case counter
    /// `[ reject type T code C ]`
    case reject(type: UInt32, code: UInt8)
    case notrack
    /// `[ fib daddr type => reg D ]`
    case fib(flags: UInt32, result: UInt32, dreg: UInt32 = 1)
    /// `[ byteorder reg D = hton(reg S, SIZE, LEN) ]`: host to network order, so that a
    /// range compares a host-order value (`meta hour`) as a number.
    case byteorderHton(sreg: UInt32 = 1, dreg: UInt32 = 1, length: UInt32, size: UInt32)
}

/// How a lookup names its set: a named set of the table, or an anonymous one created in
/// the same batch (`__set%d`, found by its transaction id).
enum NftSetReference: Sendable, Hashable {
    case named(String, id: UInt32?)
    case anonymous(id: UInt32)

    var name: String {
        switch self {
        case .named(let n, _): n
        case .anonymous: "__set%d"
        }
    }

    var id: UInt32? {
        switch self {
        case .named(_, let id): id
        case .anonymous(let id): id
        }
    }
}

/// `enum nft_meta_keys`.
enum NftMetaKey: UInt32, Sendable, Hashable {
    case mark = 3, nfproto = 15, l4proto = 16, iifname = 6, oifname = 7
    /// NFT_META_TIME_DAY (u8), NFT_META_TIME_HOUR (u32, host order).
    case timeDay = 31, timeHour = 32
}

/// `enum nft_ct_keys`.
enum NftCtKey: UInt32, Sendable, Hashable {
    case state = 0, mark = 3, status = 2
}

/// `enum nft_cmp_ops`.
enum NftCmpOp: UInt32, Sendable, Hashable {
    case eq = 0, neq = 1, lt = 2, lte = 3, gt = 4, gte = 5
}

/// `enum nft_range_ops`.
enum NftRangeOp: UInt32, Sendable, Hashable {
    case eq = 0, neq = 1
}

/// `enum nft_payload_bases`.
enum NftPayloadBase: UInt32, Sendable, Hashable {
    case link = 0, network = 1, transport = 2
}

/// `enum nft_nat_types`.
enum NftNatType: UInt32, Sendable, Hashable {
    case snat = 0, dnat = 1
}

/// Verdict codes: `NF_DROP` 0, `NF_ACCEPT` 1 (linux/netfilter.h) and `enum nft_verdicts`.
enum NftVerdictCode: Int32, Sendable, Hashable {
    case drop = 0, accept = 1, `continue` = -1, jump = -3, goto = -4, `return` = -5
}

/// Flags and codes used by the linearisation, named after their C definitions.
enum NftConstant {
    // linux/netfilter/nf_nat.h
    static let natProtoSpecified: UInt32 = 1 << 1
    static let natProtoRandom: UInt32 = 1 << 2
    static let natPersistent: UInt32 = 1 << 3
    static let natProtoRandomFully: UInt32 = 1 << 4
    // linux/netfilter.h (NFPROTO_*)
    static let nfprotoInet: UInt16 = 1
    static let nfprotoARP: UInt16 = 3
    static let nfprotoNetdev: UInt16 = 5
    static let nfprotoBridge: UInt16 = 7
    static let nfprotoIPv4: UInt8 = 2
    static let nfprotoIPv6: UInt8 = 10
    // enum nft_reject_types / nft_reject_inet_code
    static let rejectICMPUnreach: UInt32 = 0
    static let rejectTCPReset: UInt32 = 1
    static let rejectICMPXUnreach: UInt32 = 2
    static let icmpxPortUnreach: UInt8 = 1
    static let icmpxAdminProhibited: UInt8 = 3
    static let icmpPortUnreach: UInt8 = 3        // ICMP_PORT_UNREACH
    static let icmpAdminProhibited: UInt8 = 13   // ICMP_PKT_FILTERED
    static let icmpv6PortUnreach: UInt8 = 4      // ICMPV6_PORT_UNREACH
    static let icmpv6AdminProhibited: UInt8 = 1  // ICMPV6_ADM_PROHIBITED
    // NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE, RTN_LOCAL
    static let fibFlagDaddr: UInt32 = 1 << 1
    static let fibResultAddrType: UInt32 = 3
    static let rtnLocal: UInt32 = 2
    // IP protocol numbers
    static let protoICMP: UInt8 = 1
    static let protoTCP: UInt8 = 6
    static let protoICMPv6: UInt8 = 58
}
