import Testing
import TandemAddress
import TandemConfig
@testable import TandemDaemon

@Suite("NodePlan")
struct NodePlanTests {
    @Test func groupsTheReferenceScenarioByInterfaceAndVHID() throws {
        let plan = try NodePlan(config: Scenario.primary(advskew: 100))
        #expect(plan.carpGroups.map(\.key) == [CarpGroupKey(interface: "wan0", vhid: 143), CarpGroupKey(interface: "lan0", vhid: 1)])
        let wan = plan.carpGroups[0]
        #expect(wan.addresses == [Scenario.net("198.51.100.1/24")])
        #expect(wan.advskew == 100 && wan.advbase == 1)
        // The advertisement source is the node's own address, never the VIP.
        #expect(wan.source == IPAddress("198.51.100.2"))
        #expect(plan.carpGroups[1].source == IPAddress("192.0.2.2"))
        #expect(plan.interfaceAddresses.map(\.device) == ["wan0", "lan0", "sync0"])
        #expect(plan.sysctls.map(\.description).contains("net.ipv4.ip_forward=1"))
        #expect(plan.sysctls.map(\.description).contains("net.ipv4.conf.wan0.promote_secondaries=1"))
        #expect(!plan.maintenance)
        #expect(plan.hostname == "primaryfw")
    }

    @Test func twoVIPsOfOneVHIDFormOneGroup() throws {
        var config = Scenario.primary()
        config.virtualIPs.append(VirtualIP(mode: .carp, attachment: .interface("wan"), vhid: 143, advskew: 0, advbase: 1,
                                           password: "tandem-lab", address: IPAddress("198.51.100.9"), prefixLength: 24,
                                           location: SourceLocation(path: "virtualip/vip[3]")))
        let plan = try NodePlan(config: config)
        #expect(plan.carpGroups.count == 2)
        #expect(plan.carpGroups[0].addresses == [Scenario.net("198.51.100.1/24"), Scenario.net("198.51.100.9/24")])
    }

    @Test func maintenanceComesFromTheConfig() throws {
        var config = Scenario.primary()
        config.carpMaintenanceMode = true
        #expect(try NodePlan(config: config).maintenance)
    }

    @Test(arguments: [
        ("interface", "virtualip/vip[3]"),
        ("skew", "virtualip/vip[3]"),
        ("vhid", "virtualip/vip[3]"),
    ])
    func refusesWhatItCannotPlan(_ problem: String, _ path: String) {
        var config = Scenario.primary()
        var vip = VirtualIP(mode: .carp, attachment: .interface("wan"), vhid: 143, advskew: 0, advbase: 1,
                            password: "tandem-lab", address: IPAddress("198.51.100.9"), prefixLength: 24,
                            location: SourceLocation(path: "virtualip/vip[3]"))
        switch problem {
        case "interface": vip.attachment = .interface("opt9")
        case "skew": vip.advskew = 50
        default: vip.vhid = 0
        }
        config.virtualIPs.append(vip)
        #expect { try NodePlan(config: config) } throws: { ($0 as? PlanError)?.path == path }
    }
}

@Suite("NodePlan sub-second CARP")
struct NodePlanSubsecondTests {
    static func config(advbase: Int, subsecond: Bool) -> Config {
        var config = Scenario.primary()
        for i in config.virtualIPs.indices { config.virtualIPs[i].advbase = advbase }
        config.carpSubsecond = subsecond
        return config
    }

    @Test func theOptInIsCarriedAndAllowsAdvbaseZero() throws {
        let plan = try NodePlan(config: Self.config(advbase: 0, subsecond: true))
        #expect(plan.carpSubsecond)
        #expect(plan.carpGroups.map(\.advbase) == [0, 0])
        #expect(try !NodePlan(config: Self.config(advbase: 1, subsecond: false)).carpSubsecond)
    }

    @Test func advbaseZeroWithoutTheOptInIsRefused() {
        #expect(throws: PlanError(path: "virtualip/vip[1]", message: "advbase 0, expected 1–255 (advbase 0 needs <tandem><carp_subsecond/>)")) {
            try NodePlan(config: Self.config(advbase: 0, subsecond: false))
        }
    }
}
