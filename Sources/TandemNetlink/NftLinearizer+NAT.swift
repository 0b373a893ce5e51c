import TandemAddress
import TandemRuleset

/// `snat`/`dnat`/`masquerade`: values loaded into registers 1, 2, … with `immediate`,
/// then the nat expression naming those registers (nftables.md §5.5). A prefix target
/// becomes its first and last address; ports set NF_NAT_RANGE_PROTO_SPECIFIED.
extension NftLinearizer {
    static func natFlags(_ flags: NATFlags) -> UInt32 {
        var f: UInt32 = 0
        if flags.contains(.random) { f |= NftConstant.natProtoRandom }
        if flags.contains(.persistent) { f |= NftConstant.natPersistent }
        if flags.contains(.fullyRandom) { f |= NftConstant.natProtoRandomFully }
        return f
    }

    mutating func emitNAT(_ type: NftNatType, _ target: NATTarget, _ ctx: inout Context) throws(NftLinearizeError) {
        let what = type == .snat ? "snat" : "dnat"
        guard family == .inet || family == .ip || family == .ip6 else {
            throw NftLinearizeError(ctx.place, "\(what) in a \(family.rawValue) table")
        }
        if (family == .ip && target.family != .ipv4) || (family == .ip6 && target.family != .ipv6) {
            throw NftLinearizeError(ctx.place, "\(what) to \(target.family.rawValue) in a \(family.rawValue) table")
        }
        var register: UInt32 = 1
        var addressMin: UInt32?
        var addressMax: UInt32?
        var lo: IPAddress?
        var hi: IPAddress?
        switch target.address {
        case .address(let a)?: lo = a
        case .prefix(let n)?: (lo, hi) = (n.network, n.last)
            if n.isHost { hi = nil }
        case .range(let a, let b)?: (lo, hi) = (a, b)
        case nil:
            throw NftLinearizeError(ctx.place, "\(what) without an address")
        case .anonymousSet?, .namedSet?:
            throw NftLinearizeError(ctx.place, "\(what) to a set is not supported; give an address, prefix or range")
        }
        for a in [lo, hi].compactMap({ $0 }) where a.family != target.family {
            throw NftLinearizeError(ctx.place, "\(what) ip\(target.family == .ipv6 ? "6" : "") to \(a)")
        }
        if let lo {
            ctx.out.append(.immediateData(dreg: register, data: lo.bytes))
            addressMin = register
            register += 1
        }
        if let hi {
            ctx.out.append(.immediateData(dreg: register, data: hi.bytes))
            addressMax = register
            register += 1
        }
        let (protoMin, protoMax) = emitPortRegisters(target.ports, from: register, &ctx)
        var flags = Self.natFlags(target.flags)
        if protoMin != nil { flags |= NftConstant.natProtoSpecified }
        ctx.out.append(.nat(type, family: UInt32(Self.nfproto(target.family)), addressMin: addressMin,
                            addressMax: addressMax, protoMin: protoMin, protoMax: protoMax, flags: flags))
    }

    mutating func emitMasquerade(ports: ClosedRange<UInt16>?, flags: NATFlags, _ ctx: inout Context) {
        let (protoMin, protoMax) = emitPortRegisters(ports, from: 1, &ctx)
        var f = Self.natFlags(flags)
        if protoMin != nil { f |= NftConstant.natProtoSpecified }
        ctx.out.append(.masquerade(flags: f, protoMin: protoMin, protoMax: protoMax))
    }

    /// A port range as one or two registers: the maximum only when it differs from the
    /// minimum (`to :1024` vs `to :1024-2048`).
    private func emitPortRegisters(_ ports: ClosedRange<UInt16>?, from register: UInt32,
                                   _ ctx: inout Context) -> (UInt32?, UInt32?) {
        guard let ports else { return (nil, nil) }
        ctx.out.append(.immediateData(dreg: register, data: NftEncoding.bigEndian(ports.lowerBound)))
        guard ports.upperBound != ports.lowerBound else { return (register, nil) }
        ctx.out.append(.immediateData(dreg: register + 1, data: NftEncoding.bigEndian(ports.upperBound)))
        return (register, register + 1)
    }
}
