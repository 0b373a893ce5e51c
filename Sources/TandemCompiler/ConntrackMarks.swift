/// The bits of the conntrack mark that Tandem's ruleset gives a meaning to. The compiler sets
/// them and the daemon reads them back from conntrack events, so both take them from here.
/// They are reserved: a configuration must not use them for anything else (README, "State sync").
public enum ConntrackMarks {
    /// Set by a pass rule with pfSense's `nopfsync` flag (pf's `no-sync` state option): the
    /// flow stays local and state sync never sends it to the peer (state-sync.md §1.7).
    /// The top bit, clear of the `rdr pass` marks (`0x5450nnnn`, PortForwards.passMark).
    public static let noStateSync: UInt32 = 0x8000_0000

    /// pf tags (`<tag>`/`<tagged>`, Tags.swift): one bit per tag name. These are the bits
    /// that are zero in every `rdr pass` mark (`0x5450nnnn` has bits 30, 28, 26, 22 and 20
    /// set and the forward's index in the low 16), so a tag never makes one flow's mark
    /// read as another's; the `rdr pass` test masks them out.
    public static let tagBits: [UInt32] = [
        0x2000_0000, 0x0800_0000, 0x0200_0000, 0x0100_0000, 0x0080_0000,
        0x0020_0000, 0x0008_0000, 0x0004_0000, 0x0002_0000, 0x0001_0000,
    ]

    /// Every tag bit.
    public static let tagMask: UInt32 = tagBits.reduce(0, |)
}
