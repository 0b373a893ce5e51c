import TandemRuleset

/// `ip saddr . ip daddr . th dport @set` (a group of filter rules, `RuleGroups`): each field
/// loaded into the registers after the previous one's, 4-byte aligned, and the whole key
/// looked up. As nft 1.0.6 emits it: the first field goes to NFT_REG_1, the others to the
/// 32-bit registers NFT_REG32_00 (8) + their byte offset / 4, which share its storage.
extension NftLinearizer {
    mutating func emitConcatenation(_ fields: [KeyField], set: String, _ ctx: inout Context) throws(NftLinearizeError) {
        for case .address(_, let f) in fields { try emitNetworkDependency(f, &ctx) }
        var offset: UInt32 = 0
        for (i, field) in fields.enumerated() {
            let dreg: UInt32 = i == 0 ? 1 : 8 + offset / 4
            switch field {
            case .address(let direction, let f):
                let width = UInt32(f.bitWidth / 8)
                ctx.out.append(.payload(.network, offset: Self.addressOffset(direction, f), length: width, dreg: dreg))
                offset += width
            case .port(let direction):
                ctx.out.append(.payload(.transport, offset: Self.portOffset(direction), length: 2, dreg: dreg))
                offset += 4
            }
        }
        ctx.out.append(.lookup(sreg: 1, set: try namedSet(set, ctx)))
    }
}
