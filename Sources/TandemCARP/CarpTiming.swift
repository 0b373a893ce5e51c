/// CARP's timing rules (FreeBSD `carp_setrun`, OpenBSD for advbase 0). CARP's priority is its timing: the node that
/// advertises more often wins, compared as (advbase, advskew/256) — one number in 1/256 s.
public enum CarpTiming {
    /// `CARP_MAXSKEW`: FreeBSD sends at most this advskew once demotion is added.
    public static let maximumSentSkew: UInt8 = 240
    /// The BSD ioctl rejects advskew ≥ 255.
    public static let maximumConfiguredSkew: UInt8 = 254
    /// pfSense's persistent maintenance mode replaces every configured advskew.
    public static let maintenanceSkew: UInt8 = 254
    /// FreeBSD `ifdown_demotion_factor` / `senderr_demotion_factor` default.
    public static let linkDownDemotion = 240
    /// OpenBSD's bow-out advertisement: the worst priority there is.
    public static let bowOutAdvbase: UInt8 = 255
    public static let bowOutAdvskew: UInt8 = 255

    /// The advertised priority in 1/256 s; smaller wins.
    public static func priority(advbase: UInt8, advskew: UInt8) -> Int {
        Int(advbase) * 256 + Int(advskew)
    }

    /// The skew a master sends: configured (or maintenance) skew plus demotion, clamped to
    /// 0…240 (FreeBSD `DEMOTE_ADVSKEW`).
    public static func sentSkew(configured: UInt8, demotion: Int) -> UInt8 {
        UInt8(min(max(Int(configured) + demotion, 0), Int(maximumSentSkew)))
    }

    /// How often a master advertises: advbase + advskew/256 s. With advbase 0 (OpenBSD)
    /// the interval is advskew/256 s, at least 1/256 s.
    public static func advertisementInterval(advbase: UInt8, advskew: UInt8) -> Duration {
        if advbase == 0 { return skewSteps(max(Int(advskew), 1)) }
        return .seconds(Int(advbase)) + skewSteps(Int(advskew))
    }

    /// How long a backup waits for an advertisement: 3 × advbase + advskew/256 s, with the
    /// configured, not the demoted, advskew (FreeBSD `carp_setrun`). With advbase 0
    /// (OpenBSD): 3 × advskew/256 s, or 3/256 s when advskew is 0.
    public static func masterDownInterval(advbase: UInt8, advskew: UInt8) -> Duration {
        if advbase == 0 { return skewSteps(3 * max(Int(advskew), 1)) }
        return .seconds(3 * Int(advbase)) + skewSteps(Int(advskew))
    }

    /// `n`/256 s, exactly: 1/256 s = 3 906 250 ns.
    static func skewSteps(_ n: Int) -> Duration {
        .nanoseconds(Int64(n) * 3_906_250)
    }
}
