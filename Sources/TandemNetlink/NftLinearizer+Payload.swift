import TandemAddress
import TandemRuleset

/// `ip saddr …` / `ip6 daddr …` and `icmp type …`: network-header payload loads
/// (nftables.md §5.5). Offsets are the IPv4 (saddr 12, daddr 16) and IPv6 (saddr 8,
/// daddr 24) header fields.
extension NftLinearizer {
    static func addressOffset(_ dir: Direction, _ f: IPFamily) -> UInt32 {
        switch (f, dir) {
        case (.ipv4, .source): 12
        case (.ipv4, .destination): 16
        case (.ipv6, .source): 8
        case (.ipv6, .destination): 24
        }
    }

    mutating func emitAddress(_ dir: Direction, _ f: IPFamily, _ op: AddressOperand, negated: Bool,
                              _ ctx: inout Context) throws(NftLinearizeError) {
        try emitNetworkDependency(f, &ctx)
        let offset = Self.addressOffset(dir, f)
        let width = UInt32(f.bitWidth / 8)
        let cmpOp: NftCmpOp = negated ? .neq : .eq
        func check(_ a: IPAddress) throws(NftLinearizeError) {
            guard a.family == f else {
                throw NftLinearizeError(ctx.place, "\(a) is not an \(f.rawValue) address")
            }
        }
        switch op {
        case .address(let a):
            try check(a)
            ctx.out += [.payload(.network, offset: offset, length: width), .cmp(cmpOp, data: a.bytes)]
        case .prefix(let n):
            try check(n.address)
            emitPrefix(n, offset: offset, width: width, op: cmpOp, &ctx)
        case .range(let lo, let hi):
            try check(lo)
            try check(hi)
            ctx.out.append(.payload(.network, offset: offset, length: width))
            ctx.out += Self.rangeCompare(lo.bytes, hi.bytes, negated: negated)
        case .anonymousSet(let elements) where elements.count == 1:
            // nft folds a one-element set into a plain comparison.
            let folded: AddressOperand
            switch elements[0] {
            case .single(let v): folded = .address(try Self.address(v, ctx))
            case .interval(let lo, let hi):
                let a = try Self.address(lo, ctx), b = try Self.address(hi, ctx)
                if let n = Self.prefix(a, b) { folded = .prefix(n) } else { folded = .range(a, b) }
            case .mapping, .tuple: throw NftLinearizeError(ctx.place, "\(elements[0]) is not an address")
            }
            // Dependency already emitted above; recurse without emitting it again.
            try emitAddress(dir, f, folded, negated: negated, &ctx)
        case .anonymousSet(let elements):
            guard !elements.isEmpty else { throw NftLinearizeError(ctx.place, "empty address set") }
            let set = try anonymousSet(elements, key: f == .ipv4 ? .ipv4Address : .ipv6Address, ctx)
            ctx.out += [.payload(.network, offset: offset, length: width),
                        .lookup(set: .anonymous(id: set.id), invert: negated)]
            ctx.anonymousSets.append(set)
        case .namedSet(let name):
            let ref = try namedSet(name, ctx)
            ctx.out += [.payload(.network, offset: offset, length: width), .lookup(set: ref, invert: negated)]
        }
    }

    /// A byte-aligned prefix loads only its leading bytes; any other prefix loads the whole
    /// address and masks it (what nft 1.0.6 emits).
    func emitPrefix(_ n: IPNetwork, offset: UInt32, width: UInt32, op: NftCmpOp, _ ctx: inout Context) {
        let network = n.network.bytes
        let length = n.prefixLength
        if length == n.family.bitWidth {
            ctx.out += [.payload(.network, offset: offset, length: width), .cmp(op, data: network)]
        } else if length > 0, length % 8 == 0 {
            ctx.out += [.payload(.network, offset: offset, length: UInt32(length / 8)),
                        .cmp(op, data: Array(network.prefix(length / 8)))]
        } else {
            ctx.out += [.payload(.network, offset: offset, length: width),
                        .bitwise(mask: Self.prefixMask(length, bytes: Int(width)),
                                 xor: [UInt8](repeating: 0, count: Int(width))),
                        .cmp(op, data: network)]
        }
    }

    static func prefixMask(_ length: Int, bytes: Int) -> [UInt8] {
        (0..<bytes).map { i in
            let bits = max(0, min(8, length - i * 8))
            return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }

    /// `a-b`: `cmp gte` + `cmp lte`; negated, one `range neq` (nft 1.0.6).
    static func rangeCompare(_ lo: [UInt8], _ hi: [UInt8], negated: Bool) -> [NftExpression] {
        negated ? [.range(.neq, from: lo, to: hi)] : [.cmp(.gte, data: lo), .cmp(.lte, data: hi)]
    }

    static func address(_ v: SetValue, _ ctx: Context) throws(NftLinearizeError) -> IPAddress {
        switch v {
        case .ipv4(let a): return .v4(a)
        case .ipv6(let a): return .v6(a)
        default: throw NftLinearizeError(ctx.place, "\(v) is not an address")
        }
    }

    /// The prefix exactly covering [lo, hi], if there is one.
    static func prefix(_ lo: IPAddress, _ hi: IPAddress) -> IPNetwork? {
        guard lo.family == hi.family else { return nil }
        let a = lo.bytes, b = hi.bytes
        var length = 0
        while length < lo.family.bitWidth, bit(a, length) == bit(b, length) { length += 1 }
        for i in length..<lo.family.bitWidth where bit(a, i) || !bit(b, i) { return nil }
        return IPNetwork(address: lo, prefixLength: length)
    }

    private static func bit(_ bytes: [UInt8], _ i: Int) -> Bool {
        bytes[i / 8] & (0x80 >> UInt8(i % 8)) != 0
    }

    /// `icmp type X` / `icmpv6 type { … }`: nfproto and l4proto dependencies, then the
    /// first byte of the transport header.
    mutating func emitICMPType(_ f: IPFamily, _ types: [UInt8], _ ctx: inout Context) throws(NftLinearizeError) {
        try emitNetworkDependency(f, &ctx)
        emitL4Dependency(f == .ipv4 ? NftConstant.protoICMP : NftConstant.protoICMPv6, &ctx)
        ctx.out.append(.payload(.transport, offset: 0, length: 1))
        switch types.count {
        case 0:
            throw NftLinearizeError(ctx.place, "icmp type with no type")
        case 1:
            ctx.out.append(.cmp(.eq, data: [types[0]]))
        default:
            let set = try anonymousSet(types.map { .single(.proto($0)) },
                                       key: f == .ipv4 ? .icmpType : .icmpv6Type, ctx)
            ctx.out.append(.lookup(set: .anonymous(id: set.id)))
            ctx.anonymousSets.append(set)
        }
    }
}
