/// The bits of the conntrack mark that Tandem's ruleset gives a meaning to. The compiler sets
/// them and the daemon reads them back from conntrack events, so both take them from here.
/// They are reserved: a configuration must not use them for anything else (README, "State sync").
public enum ConntrackMarks {
    /// Set by a pass rule with pfSense's `nopfsync` flag (pf's `no-sync` state option): the
    /// flow stays local and state sync never sends it to the peer (state-sync.md §1.7).
    /// The top bit, clear of the `rdr pass` marks (`0x5450nnnn`, PortForwards.passMark).
    public static let noStateSync: UInt32 = 0x8000_0000
}
