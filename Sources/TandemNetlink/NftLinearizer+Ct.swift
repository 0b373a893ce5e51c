import TandemRuleset

/// `ct state` / `ct status`: bitmask datatypes, matched as `(reg & mask) != 0` even for a
/// single value (nft's linearisation of a bitmask list).
extension NftLinearizer {
    /// `enum ip_conntrack_info` bits as nft's ct_state datatype numbers them
    /// (NF_CT_STATE_BIT / NF_CT_STATE_UNTRACKED_BIT).
    static func ctStateBit(_ s: CtState) -> UInt32 {
        switch s {
        case .invalid: 1
        case .established: 2
        case .related: 4
        case .new: 8
        case .untracked: 64
        }
    }

    /// `enum ip_conntrack_status` bits (IPS_*).
    static func ctStatusBit(_ s: CtStatus) -> UInt32 {
        switch s {
        case .expected: 1 << 0
        case .seenReply: 1 << 1
        case .assured: 1 << 2
        case .confirmed: 1 << 3
        case .snat: 1 << 4
        case .dnat: 1 << 5
        case .dying: 1 << 9
        }
    }

    static func ctStateMask(_ states: Set<CtState>) -> UInt32 {
        states.reduce(0) { $0 | ctStateBit($1) }
    }

    static func ctStatusMask(_ statuses: Set<CtStatus>) -> UInt32 {
        statuses.reduce(0) { $0 | ctStatusBit($1) }
    }

    func emitCtBits(_ key: NftCtKey, _ mask: UInt32, what: String, _ ctx: inout Context) throws(NftLinearizeError) {
        guard mask != 0 else { throw NftLinearizeError(ctx.place, "\(what) with no value") }
        ctx.out += [.ct(key),
                    .bitwise(mask: NftEncoding.hostOrder(mask), xor: NftEncoding.hostOrder(0)),
                    .cmp(.neq, data: NftEncoding.hostOrder(0))]
    }
}
