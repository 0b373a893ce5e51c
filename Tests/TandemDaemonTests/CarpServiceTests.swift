import Foundation
import Testing
import TandemAddress
import TandemCARP
import TandemConfig
import TandemNetlink
@testable import TandemDaemon

/// The daemon's CARP wiring against a fake link and fake packet I/O. Transitions are
/// driven by advertisements (a bow-out is taken over at once), so no timer has to expire.
@Suite("CarpService")
struct CarpServiceTests {
    let link = FakeLink(devices: ["wan0", "lan0", "sync0"])
    let io = FakePacketIO()

    func service(_ config: Config = Scenario.primary(advskew: 100)) throws -> CarpService {
        try CarpService(plan: try NodePlan(config: config), link: link, io: io, logger: Scenario.logger)
    }

    func states(_ s: CarpService) async -> [String] { await s.status().vips.map(\.state) }

    @Test func startRemovesStaleVIPsButNotTheAdminsAddresses() async throws {
        // A crashed predecessor left the WAN VIP; the admin has the same IP as a /32 too.
        try link.addAddress(Scenario.net("198.51.100.1/24"), interfaceIndex: link.index("wan0"))
        try link.addAddress(Scenario.net("198.51.100.1/32"), interfaceIndex: link.index("wan0"))
        let s = try service()
        await s.start()
        #expect(!link.has("198.51.100.1/24", on: "wan0"))
        #expect(link.has("198.51.100.1/32", on: "wan0"))
        #expect(await states(s) == ["BACKUP", "BACKUP"])
    }

    @Test func takesOverFromABowingOutMasterAndAnnounces() async throws {
        let s = try service()
        await s.start()
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                       addresses: ["198.51.100.1"], interface: "wan0")))
        let status = await s.status()
        #expect(status.vips.first { $0.vhid == 143 }?.state == "MASTER")
        #expect(status.vips.first { $0.vhid == 143 }?.lastReason == "preempting a slower master")
        #expect(link.has("198.51.100.1/24", on: "wan0"))
        #expect(io.announced.contains { $0.interface == "wan0" && $0.addresses == [IPAddress("198.51.100.1")!] })
        let sent = try #require(io.sent.last)
        #expect(sent.ad.vhid == 143 && sent.ad.advskew == 100 && sent.interface == "wan0")
        #expect(status.counters.accepted == 1)
    }

    @Test func aBetterMasterTakesTheVIPsAway() async throws {
        let s = try service()
        await s.start()
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                       addresses: ["198.51.100.1"], interface: "wan0")))
        #expect(link.has("198.51.100.1/24", on: "wan0"))
        await s.process(.packet(Scenario.advertisement(vhid: 143, advskew: 0, addresses: ["198.51.100.1"],
                                                       interface: "wan0", counter: 78)))
        #expect(await s.status().vips.first { $0.vhid == 143 }?.state == "BACKUP")
        #expect(!link.has("198.51.100.1/24", on: "wan0"))
    }

    /// State sync reads the flag on its own thread the moment a peer restarts: it must
    /// follow each transition as CARP handles it, not the next status refresh.
    @Test func theMastershipFlagFollowsEveryTransitionAtOnce() async throws {
        let mastership = Mastership()
        let s = try CarpService(plan: try NodePlan(config: Scenario.primary(advskew: 100)), link: link, io: io,
                                logger: Scenario.logger, mastership: mastership)
        await s.start()
        #expect(!mastership.isMaster)
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                       addresses: ["198.51.100.1"], interface: "wan0")))
        #expect(mastership.isMaster, "MASTER of vhid 143")
        await s.process(.packet(Scenario.advertisement(vhid: 143, advskew: 0, addresses: ["198.51.100.1"],
                                                       interface: "wan0", counter: 78)))
        #expect(!mastership.isMaster, "BACKUP everywhere again")
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                       addresses: ["198.51.100.1"], interface: "wan0", counter: 79)))
        #expect(mastership.isMaster)
        await s.process(.shutdown)
        #expect(!mastership.isMaster, "bowed out")
    }

    @Test func forgedAdvertisementsChangeNothing() async throws {
        let s = try service()
        await s.start()
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255, password: "wrong",
                                                       addresses: ["198.51.100.1"], interface: "wan0")))
        let status = await s.status()
        #expect(status.vips.map(\.state) == ["BACKUP", "BACKUP"])
        #expect(status.counters[.badHMAC] == 1)
        #expect(!link.has("198.51.100.1/24", on: "wan0"))
    }

    @Test func shutdownAsMasterBowsOutAndRemovesTheVIPs() async throws {
        let s = try service()
        await s.start()
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                       addresses: ["198.51.100.1"], interface: "wan0")))
        await s.process(.shutdown)
        let last = try #require(io.sent.last)
        #expect(last.ad.advbase == 255 && last.ad.advskew == 255)
        #expect(!link.has("198.51.100.1/24", on: "wan0"))
        #expect(await states(s) == ["INIT", "INIT"])
    }

    @Test func linkLossDropsToInitAndRemovesTheVIP() async throws {
        let s = try service()
        await s.start()
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                       addresses: ["198.51.100.1"], interface: "wan0")))
        let down = LinkInfo(index: link.index("wan0"), name: "wan0", flags: LinkFlag.up, carrier: false)
        await s.linkEvent(.linkChanged(down))
        let status = await s.status()
        #expect(status.vips.first { $0.vhid == 143 }?.state == "INIT")
        // Link loss on one interface demotes the node, so the LAN vhid gives way too.
        #expect(status.vips.first { $0.vhid == 1 }?.demotion == 240)
        #expect(!link.has("198.51.100.1/24", on: "wan0"))
    }

    @Test func aVIPRemovedBehindTheMastersBackIsPutBack() async throws {
        let s = try service()
        await s.start()
        await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                       addresses: ["198.51.100.1"], interface: "wan0")))
        let vip = Scenario.net("198.51.100.1/24")
        try link.removeAddress(vip, interfaceIndex: link.index("wan0"))
        await s.linkEvent(.addressRemoved(InterfaceAddress(interfaceIndex: link.index("wan0"), network: vip)))
        #expect(link.has("198.51.100.1/24", on: "wan0"))
    }
}

@Suite("CarpService send errors")
struct CarpServiceSendErrorTests {
    @Test func failedSendsAreCountedAndDemoteTheNode() async throws {
        let link = FakeLink(devices: ["wan0", "lan0", "sync0"])
        let s = try CarpService(plan: try NodePlan(config: Scenario.primary(advskew: 100)), link: link,
                                io: FailingPacketIO(), logger: Scenario.logger)
        await s.start()
        // Taking over sends an advertisement on each of three bow-outs heard: three failures.
        for counter in UInt64(1)...3 {
            await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                           addresses: ["198.51.100.1"], interface: "wan0", counter: 1000 * counter)))
            await s.process(.packet(Scenario.advertisement(vhid: 143, advskew: 0, addresses: ["198.51.100.1"],
                                                           interface: "wan0", counter: 1000 * counter + 1)))
        }
        let status = await s.status()
        #expect(status.counters.sendErrors >= 3)
        #expect(status.vips.allSatisfy { $0.demotion == 240 })
    }
}

/// Packet I/O whose sends fail while `failing` is set, as when a route comes back.
final class FlakyPacketIO: CarpPacketIO, @unchecked Sendable {
    struct Unreachable: Error {}
    private let lock = NSLock()
    private var _failing = true
    private var _attempts = 0
    var failing: Bool {
        get { lock.withLock { _failing } }
        set { lock.withLock { _failing = newValue } }
    }
    var attempts: Int { lock.withLock { _attempts } }

    func send(_ advertisement: CarpAdvertisement, interface: String, family: IPFamily) throws {
        let fail = lock.withLock { _attempts += 1; return _failing }
        if fail { throw Unreachable() }
    }
    func announce(_ addresses: [IPAddress], interface: String) throws {}
    func receive(timeoutMilliseconds: Int32) throws -> [ReceivedCarpPacket] { [] }
}

extension CarpServiceSendErrorTests {
    /// Takes over on a bow-out (one send) and gives way to the peer again, `times` times. The
    /// peer's counter grows from one advertisement to the next, as a real sender's does.
    func takeOverAndYield(_ s: CarpService, times: Int, from counter: UInt64) async {
        for c in counter..<counter + UInt64(times) {
            await s.process(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                           addresses: ["198.51.100.1"], interface: "wan0", counter: 1000 * c)))
            await s.process(.packet(Scenario.advertisement(vhid: 143, advskew: 0, addresses: ["198.51.100.1"],
                                                           interface: "wan0", counter: 1000 * c + 1)))
        }
    }

    @Test func theDemotionIsLiftedAfterThreeSendsInARowSucceed() async throws {
        let io = FlakyPacketIO()
        let s = try CarpService(plan: try NodePlan(config: Scenario.primary(advskew: 100)),
                                link: FakeLink(devices: ["wan0", "lan0", "sync0"]), io: io, logger: Scenario.logger)
        await s.start()
        await takeOverAndYield(s, times: 2, from: 1)
        // Two failures: counted, not yet demoted (FreeBSD demotes on the third).
        #expect(await s.status().counters.sendErrors == 2)
        #expect(await s.status().vips.allSatisfy { $0.demotion == 0 })
        await takeOverAndYield(s, times: 1, from: 3)
        #expect(await s.status().vips.allSatisfy { $0.demotion == 240 })
        let failedAttempts = io.attempts
        io.failing = false
        await takeOverAndYield(s, times: 3, from: 4)
        #expect(io.attempts > failedAttempts)
        let status = await s.status()
        // The third failure demoted the node, and the master advertised that at once: a fourth.
        #expect(status.counters.sendErrors == 4)
        #expect(status.vips.allSatisfy { $0.demotion == 0 })
    }
}

/// OPNsense's `<hasync><disablepreempt>` is FreeBSD's `net.inet.carp.preempt=0` for the
/// whole node: a BACKUP does not take over from a slower MASTER (it still takes over from
/// one that bows out or would time out).
@Suite("CarpService preemption")
struct CarpServicePreemptTests {
    static func config(disablePreempt: Bool) -> Config {
        var c = Scenario.primary(advskew: 0)
        c.hasync = HASync(disablePreempt: disablePreempt)
        return c
    }

    @Test(arguments: [false, true])
    func disablePreemptKeepsABackupFromTakingOverASlowerMaster(disablePreempt: Bool) async throws {
        let plan = try NodePlan(config: Self.config(disablePreempt: disablePreempt))
        #expect(plan.carpPreempt == !disablePreempt)
        let s = try CarpService(plan: plan, link: FakeLink(devices: ["wan0", "lan0", "sync0"]), io: FakePacketIO(),
                                logger: Scenario.logger)
        await s.start()
        // A master with advskew 100 is slower than this node's 0.
        await s.process(.packet(Scenario.advertisement(vhid: 143, advskew: 100, addresses: ["198.51.100.1"],
                                                       interface: "wan0", counter: 10)))
        let wan = await s.status().vips.first { $0.vhid == 143 }
        #expect(wan?.state == (disablePreempt ? "BACKUP" : "MASTER"))
        // A bow-out is taken over either way ("master will time out").
        await s.process(.packet(Scenario.advertisement(vhid: 1, advbase: 255, advskew: 255, addresses: ["192.0.2.1"],
                                                       interface: "lan0", counter: 11)))
        #expect(await s.status().vips.first { $0.vhid == 1 }?.state == "MASTER")
    }
}
