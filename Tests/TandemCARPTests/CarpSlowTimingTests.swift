import Testing
import TandemAddress
@testable import TandemCARP

/// Slow timings up to advbase 255, the largest a CARP header carries: FreeBSD accepts advbase
/// 1–255 and every timing comparison there is in `struct timeval`, so nothing may overflow
/// (issue 16 item 1: `3 * advbase` in `UInt8` trapped at advbase ≥ 86).
@Suite struct CarpSlowTimingTests {
    typealias Machine = CarpMachine<FakeInstant>

    static func backup(advbase: UInt8, advskew: UInt8, preempt: Bool) -> Machine {
        var m = Machine(config: Fixture.group(advbase: advbase, advskew: advskew, preempt: preempt), initialCounter: 1)
        _ = m.handle(.linkChanged(up: true), at: .zero)
        precondition(m.state == .backup)
        return m
    }

    static func ad(advbase: UInt8, advskew: UInt8) -> CarpAdvertisement {
        .signed(vhid: 1, advbase: advbase, advskew: advskew, counter: 9, key: Fixture.key,
                addresses: [Fixture.lanVIP.address])
    }

    /// A backup with advbase 254 or 255 hears every advbase/advskew edge a peer (or a replay
    /// with rewritten fields, which the HMAC does not cover) can send; it must decide, not trap.
    @Test(arguments: [86, 128, 254, 255] as [UInt8], [0, 1, 100, 239, 240, 254] as [UInt8])
    func backupWithSlowTimingJudgesEveryAdvertisement(advbase: UInt8, advskew: UInt8) {
        for preempt in [true, false] {
            for theirBase in [1, 85, 86, 254, 255] as [UInt8] {
                for theirSkew in [0, 1, 239, 240, 254, 255] as [UInt8] {
                    var m = Self.backup(advbase: advbase, advskew: advskew, preempt: preempt)
                    let actions = m.handle(.advertisementReceived(Self.ad(advbase: theirBase, advskew: theirSkew)), at: .seconds(1))
                    let theirs = Int(theirBase) * 256 + Int(theirSkew)
                    // Ours as advertised: advskew capped at 240 (FreeBSD `DEMOTE_ADVSKEW`).
                    let sent = min(Int(advskew), 240)
                    let ours = Int(advbase) * 256 + sent
                    // FreeBSD `carp_input_c`: preempt a slower master, or take over from one
                    // slower than our master-down time (3 × advbase s + our advskew/256 s).
                    let takesOver = (preempt && theirs > ours) || theirs > 3 * Int(advbase) * 256 + sent
                    #expect(m.state == (takesOver ? .master : .backup),
                            "ours \(advbase)/\(advskew) preempt \(preempt), theirs \(theirBase)/\(theirSkew)")
                    #expect(!actions.isEmpty)
                }
            }
        }
    }

    /// Master-down with advbase 255: 765 s plus the skew, exactly, in a wide type.
    @Test func masterDownIntervalAtTheLargestAdvbase() {
        let m = Self.backup(advbase: 255, advskew: 254, preempt: true)
        #expect(m.masterDownInterval == .seconds(765) + .nanoseconds(254 * 3_906_250))
        #expect(m.deadline == FakeInstant.zero.advanced(by: .seconds(765) + .nanoseconds(254 * 3_906_250)))
    }
}
