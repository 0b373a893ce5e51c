import TandemRuleset

/// Interface names, `meta l4proto`, marks (nftables.md §5.5, first rows).
extension NftLinearizer {
    mutating func emitInterface(_ key: NftMetaKey, _ op: NameOperand, negated: Bool,
                                _ ctx: inout Context) throws(NftLinearizeError) {
        switch op {
        case .name(let name):
            ctx.out += [.meta(key), .cmp(negated ? .neq : .eq, data: Self.interfaceNameBytes(name))]
        case .anonymousSet(let names) where names.count == 1:
            ctx.out += [.meta(key), .cmp(negated ? .neq : .eq, data: Self.interfaceNameBytes(names[0]))]
        case .anonymousSet(let names):
            guard !names.isEmpty else { throw NftLinearizeError(ctx.place, "empty interface set") }
            let set = try anonymousSet(names.map { .single(.ifname($0)) }, key: .ifname, ctx)
            ctx.out += [.meta(key), .lookup(set: .anonymous(id: set.id), invert: negated)]
            ctx.anonymousSets.append(set)
        case .namedSet(let name):
            let ref = try namedSet(name, ctx)
            ctx.out += [.meta(key), .lookup(set: ref, invert: negated)]
        }
    }

    /// `"eth0"` compares 16 zero-padded bytes; `"eth*"` compares only the prefix bytes.
    static func interfaceNameBytes(_ name: String) -> [UInt8] {
        if name.hasSuffix("*") { return Array(name.utf8.dropLast()) }
        return NftEncoding.interfaceName(name)
    }

    mutating func emitL4proto(_ protos: [UInt8], negated: Bool, _ ctx: inout Context) throws(NftLinearizeError) {
        switch protos.count {
        case 0:
            throw NftLinearizeError(ctx.place, "meta l4proto with no protocol")
        case 1:
            ctx.out += [.meta(.l4proto), .cmp(negated ? .neq : .eq, data: [protos[0]])]
            if !negated { ctx.l4proto = protos[0] }
        default:
            let set = try anonymousSet(protos.map { .single(.proto($0)) }, key: .inetProto, ctx)
            ctx.out += [.meta(.l4proto), .lookup(set: .anonymous(id: set.id), invert: negated)]
            ctx.anonymousSets.append(set)
        }
    }

    /// `ct mark` / `meta mark` `[& MASK] == VALUE`: the bitwise only when a mask is given.
    func emitMark(_ load: NftExpression, value: UInt32, mask: UInt32, _ ctx: inout Context) {
        ctx.out.append(load)
        if mask != 0xffff_ffff {
            ctx.out.append(.bitwise(mask: NftEncoding.hostOrder(mask), xor: NftEncoding.hostOrder(0)))
        }
        ctx.out.append(.cmp(.eq, data: NftEncoding.hostOrder(value)))
    }
}

extension NftLinearizer {
    /// A u32 in network order (what a `byteorder hton` leaves in the register).
    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }
}
