import Testing
@testable import TandemCARP

@Suite struct CarpTimingTests {
    /// (advbase, advskew) → advertisement interval and master-down interval, in 1/256 s.
    static let table: [(UInt8, UInt8, Int64, Int64)] = [
        (1, 0, 256, 768),
        (1, 100, 356, 868),       // the default pfSense secondary: ≈ 3.39 s to take over
        (2, 0, 512, 1536),
        (255, 254, 65534, 196_094),
        (0, 26, 26, 78),          // OpenBSD sub-second
        (0, 0, 1, 3),             // OpenBSD: advbase 0 advskew 0 → 1/256 s, 3/256 s
    ]

    @Test(arguments: table)
    func intervals(advbase: UInt8, advskew: UInt8, advertise: Int64, masterDown: Int64) {
        #expect(CarpTiming.advertisementInterval(advbase: advbase, advskew: advskew) == .nanoseconds(advertise * 3_906_250))
        #expect(CarpTiming.masterDownInterval(advbase: advbase, advskew: advskew) == .nanoseconds(masterDown * 3_906_250))
    }

    @Test(arguments: [(UInt8(0), 0, UInt8(0)), (100, 0, 100), (254, 0, 240), (100, 240, 240), (0, -10, 0)])
    func sentSkew(configured: UInt8, demotion: Int, sent: UInt8) {
        #expect(CarpTiming.sentSkew(configured: configured, demotion: demotion) == sent)
    }

    @Test(arguments: [
        (UInt8(0), UInt8(1), UInt8(0), false, CarpConfigError.vhidOutOfRange(0)),
        (1, 0, 0, false, .advbaseZeroWithoutSubsecond(vhid: 1)),
        (1, 1, 255, false, .advskewOutOfRange(vhid: 1, 255)),
    ])
    func configRejects(vhid: UInt8, advbase: UInt8, advskew: UInt8, subsecond: Bool, error: CarpConfigError) {
        #expect(throws: error) {
            try CarpGroupConfig(vhid: vhid, interface: "lan0", advbase: advbase, advskew: advskew, key: Fixture.key,
                                addresses: [Fixture.lanVIP], allowsSubsecond: subsecond)
        }
    }

    @Test func configNeedsAddressesAndAllowsSubsecondOnlyWhenAsked() throws {
        #expect(throws: CarpConfigError.noAddresses(vhid: 4)) {
            try CarpGroupConfig(vhid: 4, interface: "lan0", key: Fixture.key, addresses: [])
        }
        let c = try CarpGroupConfig(vhid: 4, interface: "lan0", advbase: 0, advskew: 10, key: Fixture.key,
                                    addresses: [Fixture.lanVIP], allowsSubsecond: true)
        #expect(c.preempt)
    }
}
