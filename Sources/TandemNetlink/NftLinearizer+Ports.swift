import TandemRuleset

/// `th sport` / `th dport` (transport header offsets 0 and 2, two bytes big-endian).
extension NftLinearizer {
    static func portOffset(_ dir: Direction) -> UInt32 { dir == .source ? 0 : 2 }

    mutating func emitPort(_ dir: Direction, _ op: PortOperand, negated: Bool,
                           _ ctx: inout Context) throws(NftLinearizeError) {
        let load = NftExpression.payload(.transport, offset: Self.portOffset(dir), length: 2)
        switch op {
        case .port(let p):
            ctx.out += [load, .cmp(negated ? .neq : .eq, data: NftEncoding.bigEndian(p))]
        case .range(let lo, let hi):
            ctx.out.append(load)
            ctx.out += Self.rangeCompare(NftEncoding.bigEndian(lo), NftEncoding.bigEndian(hi), negated: negated)
        case .anonymousSet(let elements) where elements.count == 1:
            switch elements[0] {
            case .single(.port(let p)):
                try emitPort(dir, .port(p), negated: negated, &ctx)
            case .interval(.port(let lo), .port(let hi)):
                try emitPort(dir, .range(lo, hi), negated: negated, &ctx)
            default:
                throw NftLinearizeError(ctx.place, "\(elements[0]) is not a port")
            }
        case .anonymousSet(let elements):
            guard !elements.isEmpty else { throw NftLinearizeError(ctx.place, "empty port set") }
            let set = try anonymousSet(elements, key: .inetService, ctx)
            ctx.out += [load, .lookup(set: .anonymous(id: set.id), invert: negated)]
            ctx.anonymousSets.append(set)
        case .namedSet(let name):
            let ref = try namedSet(name, ctx)
            ctx.out += [load, .lookup(set: ref, invert: negated)]
        }
    }

    /// nft merges `sport == A` and `dport == B` in one rule into a single 4-byte load at
    /// offset 0 compared with A·B (`payload_try_merge`), wherever the two appear; the
    /// merged match takes the place of the first one. Returns where to emit and what to skip.
    func mergedPorts(_ matches: [Match]) -> (at: Int, skip: Int, source: UInt16, destination: UInt16)? {
        var source: (Int, UInt16)?
        var destination: (Int, UInt16)?
        for (i, m) in matches.enumerated() {
            guard case .port(let dir, let op, false) = m else { continue }
            let value: UInt16
            switch op {
            case .port(let p): value = p
            case .anonymousSet(let e) where e.count == 1:
                guard case .single(.port(let p)) = e[0] else { continue }
                value = p
            default: continue
            }
            if dir == .source, source == nil { source = (i, value) }
            if dir == .destination, destination == nil { destination = (i, value) }
        }
        guard let s = source, let d = destination else { return nil }
        return (min(s.0, d.0), max(s.0, d.0), s.1, d.1)
    }

    func emitMergedPorts(source: UInt16, destination: UInt16, _ ctx: inout Context) {
        ctx.out += [.payload(.transport, offset: 0, length: 4),
                    .cmp(.eq, data: NftEncoding.bigEndian(source) + NftEncoding.bigEndian(destination))]
    }
}
