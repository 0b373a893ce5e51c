import Testing
import TandemAddress
import TandemCARP
import TandemConfig
@testable import TandemDaemon

@Suite("NodeDaemon")
struct NodeDaemonTests {
    let link = FakeLink(devices: ["wan0", "lan0", "sync0"])
    let io = FakePacketIO()

    func daemon(_ source: FakeConfigSource) -> NodeDaemon {
        NodeDaemon(paths: NodePaths(root: "/nonexistent"),
                   dependencies: .init(config: source, link: link, makePacketIO: { [io] _ in io }), logger: Scenario.logger)
    }

    @Test func startAppliesInterfaceAddressesAndSysctls() async throws {
        let d = daemon(FakeConfigSource(Scenario.primary()))
        try await d.start()
        #expect(link.has("198.51.100.2/24", on: "wan0"))
        #expect(link.has("203.0.113.1/30", on: "sync0"))
        #expect(link.sysctls["net.ipv4.ip_forward"] == "1")
        let status = await d.status()
        #expect(status.node.hostname == "primaryfw")
        #expect(status.carp.map(\.vip) == ["192.0.2.1/24", "198.51.100.1/24"])
        #expect(status.carp.allSatisfy { $0.state == "BACKUP" })
    }

    @Test func maintenanceIsPersistedAndAdvertised() async throws {
        let source = FakeConfigSource(Scenario.primary())
        let d = daemon(source)
        try await d.start()
        // Become master on WAN first, so the changed skew goes out at once.
        await d.dispatch(.packet(Scenario.advertisement(vhid: 143, advbase: 255, advskew: 255,
                                                        addresses: ["198.51.100.1"], interface: "wan0")))
        let response = await d.handle(ControlRequest(command: .carpMaintenance, on: true))
        #expect(response.ok)
        #expect(source.current.carpMaintenanceMode)
        // 254 is sent as 240: FreeBSD caps the advertised skew at CARP_MAXSKEW (carp.md §0 item 4).
        #expect(io.sent.last?.ad.advskew == 240)
        let status = await d.status()
        #expect(status.node.maintenance)
        #expect(status.carp.allSatisfy { $0.maintenance && $0.advskew == 254 })
        // Off again.
        #expect(await d.handle(ControlRequest(command: .carpMaintenance, on: false)).ok)
        #expect(!source.current.carpMaintenanceMode)
    }

    @Test func aFailedReloadKeepsTheRunningConfig() async throws {
        let source = FakeConfigSource(Scenario.primary())
        let d = daemon(source)
        try await d.start()
        struct Broken: Error {}
        source.failWith = Broken()
        let response = await d.handle(ControlRequest(command: .reload))
        #expect(!response.ok)
        let status = await d.status()
        #expect(status.node.configError != nil)
        #expect(status.carp.count == 2)
    }

    @Test func reloadWithAChangedVHIDRestartsCARP() async throws {
        let source = FakeConfigSource(Scenario.primary())
        let d = daemon(source)
        try await d.start()
        var changed = Scenario.primary()
        changed.virtualIPs[1].vhid = 2
        source.replace(changed)
        #expect(await d.handle(ControlRequest(command: .reload)).ok)
        #expect(await d.status().carp.map(\.vhid).sorted() == [2, 143])
    }
}
