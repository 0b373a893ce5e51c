import TandemRuleset

/// Verdicts (`immediate reg 0`) and verdict maps (`lookup … dreg 0`).
extension NftLinearizer {
    static func verdictCode(_ v: Verdict) -> (NftVerdictCode, String?) {
        switch v {
        case .accept: (.accept, nil)
        case .drop: (.drop, nil)
        case .continue: (.continue, nil)
        case .return: (.return, nil)
        case .jump(let c): (.jump, c)
        case .goto(let c): (.goto, c)
        }
    }

    func emitVerdict(_ v: Verdict, _ ctx: inout Context) {
        let (code, chain) = Self.verdictCode(v)
        ctx.out.append(.immediateVerdict(code, chain: chain))
    }

    /// `iifname vmap @map`: the key into register 1, then a lookup whose destination is
    /// the verdict register (nftables.md §5.5).
    func emitVmap(_ key: VmapKey, _ map: String, _ ctx: inout Context) throws(NftLinearizeError) {
        let ref = try namedSet(map, ctx)
        ctx.out += [.meta(key == .iifname ? .iifname : .oifname), .lookup(dreg: 0, set: ref)]
    }
}
