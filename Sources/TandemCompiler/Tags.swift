import TandemConfig

/// pf's packet tags (`tag` on a rule, `tagged` matching it, pf.conf(5)) as conntrack mark
/// bits: one bit per tag name, set with `ct mark set ct mark | BIT` by the rule that tags
/// and tested with `ct mark & BIT == BIT` by the rule that matches. pf keeps the tag with
/// the state, and so does the conntrack entry, so the egress rules of the same flow (a
/// floating `block out … tagged X` VPN kill switch) see it on its first packet.
/// Bits are given in order of first use in the filter rules; a pf packet carries one tag,
/// while a flow tagged twice here carries both (later `tagged` tests see either).
extension CompileContext {
    static func tagBits(for rules: [FilterRule]) -> [String: UInt32] {
        var bits: [String: UInt32] = [:]
        for rule in rules where !rule.disabled {
            for name in [rule.tag, rule.tagged].compactMap({ $0 }) where !name.isEmpty && bits[name] == nil {
                guard bits.count < ConntrackMarks.tagBits.count else { continue }
                bits[name] = ConntrackMarks.tagBits[bits.count]
            }
        }
        return bits
    }

    func tagBit(_ name: String) -> UInt32? { tagBits[name] }
}
