import TandemRuleset

/// Set lookups: named sets by name (plus their batch id when created in the same batch),
/// inline `{ … }` operands as anonymous constant sets `__set%d` (NFT_SET_ANONYMOUS |
/// NFT_SET_CONSTANT, plus NFT_SET_INTERVAL when an element is a range or prefix), sent in
/// the same batch before the rule that binds them.
extension NftLinearizer {
    /// A reference to a named set of this table. An unknown name is passed through: the
    /// kernel refuses the rule (ENOENT) and the error names the rule's origin.
    func namedSet(_ name: String, _ ctx: Context) throws(NftLinearizeError) -> NftSetReference {
        .named(name, id: namedSets[name]?.id)
    }

    mutating func anonymousSet(_ elements: [SetElement], key: NftKeyType,
                               _ ctx: Context) throws(NftLinearizeError) -> NftSetDefinition {
        let interval = elements.contains { if case .interval = $0 { true } else { false } }
        var encoded: [NftSetElement]
        if interval {
            var ranges: [(lo: [UInt8], hi: [UInt8])] = []
            for e in elements {
                switch e {
                case .single(let v): ranges.append((NftEncoding.bytes(v), NftEncoding.bytes(v)))
                case .interval(let a, let b): ranges.append((NftEncoding.bytes(a), NftEncoding.bytes(b)))
                case .mapping, .tuple: throw NftLinearizeError(ctx.place, "\(e) inside an inline set")
                }
            }
            encoded = NftEncoding.intervalElements(Self.mergedRanges(ranges), key: key)
        } else {
            encoded = try NftEncoding.elements(elements, key: key, interval: false, set: "inline set at \(ctx.place)")
        }
        let id = nextSetID
        nextSetID += 1
        let flags = NftSetFlag.anonymous | NftSetFlag.constant | (interval ? NftSetFlag.interval : 0)
        return NftSetDefinition(name: "__set%d", id: id, flags: flags, key: key, isVerdictMap: false,
                                comment: nil, elements: encoded)
    }

    /// Sorts big-endian ranges and merges overlapping ones (the kernel refuses overlapping
    /// intervals); touching ones stay apart and share their boundary element.
    static func mergedRanges(_ ranges: [(lo: [UInt8], hi: [UInt8])]) -> [(lo: [UInt8], hi: [UInt8])] {
        let sorted = ranges.sorted { $0.lo.lexicographicallyPrecedes($1.lo) }
        var out: [(lo: [UInt8], hi: [UInt8])] = []
        for r in sorted {
            if let last = out.last {
                if !last.hi.lexicographicallyPrecedes(r.lo) {
                    if last.hi.lexicographicallyPrecedes(r.hi) { out[out.count - 1].hi = r.hi }
                    continue
                }
            }
            out.append(r)
        }
        return out
    }
}
