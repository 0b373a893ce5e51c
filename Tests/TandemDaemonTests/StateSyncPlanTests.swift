import Testing
import TandemAddress
import TandemCompiler
import TandemConfig
import TandemStateSync
@testable import TandemDaemon

@Suite("State sync plan")
struct StateSyncPlanTests {
    func withHASync(peer: String?, password: String?) -> Config {
        var config = Scenario.primary()
        config.hasync = HASync(pfsyncEnabled: true, pfsyncInterface: "opt1", pfsyncPeer: peer.flatMap(IPAddress.init),
                               password: password, location: SourceLocation(path: "hasync"))
        return config
    }

    @Test func settingsComeFromHASyncAndTheSyncInterface() throws {
        let settings = try #require(try NodePlan.stateSync(withHASync(peer: "203.0.113.2", password: "tandem-lab")))
        #expect(settings.device == "sync0")
        #expect(settings.local == IPAddress("203.0.113.1"))
        #expect(settings.peer == IPAddress("203.0.113.2"))
        #expect(try NodePlan(config: withHASync(peer: "203.0.113.2", password: "x")).sysctls
            .map(\.description).contains("net.netfilter.nf_conntrack_tcp_loose=0"))
    }

    @Test func disabledOrIncompleteHASync() throws {
        #expect(try NodePlan.stateSync(Scenario.primary()) == nil)
        #expect(throws: (any Error).self) { try NodePlan.stateSync(withHASync(peer: "203.0.113.2", password: "")) }
        #expect(throws: (any Error).self) { try NodePlan.stateSync(withHASync(peer: nil, password: "x")) }
    }

    static func flow(_ src: String, _ dst: String, replySrc: String, replyDst: String, proto: UInt8 = 6,
                     mark: UInt32 = 0) -> FlowState {
        FlowState(family: .ipv4, l4proto: proto,
                  original: FlowTuple(source: IPAddress(src)!, destination: IPAddress(dst)!, sourcePort: 40000, destinationPort: 7000),
                  reply: FlowTuple(source: IPAddress(replySrc)!, destination: IPAddress(replyDst)!, sourcePort: 7000, destinationPort: 40000),
                  status: 0, timeout: 120, mark: mark, zone: 0, tcp: nil)
    }

    @Test(arguments: [
        // Forwarded and NATed to the WAN VIP: synced.
        (flow("192.0.2.100", "198.51.100.254", replySrc: "198.51.100.254", replyDst: "198.51.100.1"), true),
        // The sync traffic itself, between the nodes' own addresses: not synced.
        (flow("203.0.113.1", "203.0.113.2", replySrc: "203.0.113.2", replyDst: "203.0.113.1"), false),
        // Management traffic to the node: not synced.
        (flow("192.0.2.100", "192.0.2.2", replySrc: "192.0.2.2", replyDst: "192.0.2.100"), false),
        // CARP: not synced.
        (flow("198.51.100.3", "224.0.0.18", replySrc: "224.0.0.18", replyDst: "198.51.100.3", proto: 112), false),
        // Forwarded but accepted by a nopfsync rule (the mark's reserved bit): not synced.
        (flow("192.0.2.100", "198.51.100.254", replySrc: "198.51.100.254", replyDst: "198.51.100.1",
              mark: ConntrackMarks.noStateSync), false),
        // Forwarded with other mark bits (an rdr-pass mark): synced.
        (flow("192.0.2.100", "198.51.100.254", replySrc: "198.51.100.254", replyDst: "198.51.100.1",
              mark: 0x5450_0001), true),
        (flow("192.0.2.100", "198.51.100.254", replySrc: "198.51.100.254", replyDst: "198.51.100.1",
              mark: 0x5450_0001 | ConntrackMarks.noStateSync), false),
        // DNS to the LAN VIP (a service on the firewall): not synced.
        (flow("192.0.2.100", "192.0.2.1", replySrc: "192.0.2.1", replyDst: "192.0.2.100", proto: 17), false),
        // A port forward from the WAN VIP to an inside host: forwarded, synced.
        (flow("198.51.100.254", "198.51.100.1", replySrc: "192.0.2.50", replyDst: "198.51.100.254"), true),
    ])
    func onlyForwardedFlowsAreSynced(_ flow: FlowState, _ synced: Bool) {
        let own: Set<IPAddress> = ["198.51.100.2", "192.0.2.2", "203.0.113.1"].map { IPAddress($0)! }.reduce(into: []) { $0.insert($1) }
        let filter = FlowFilter(scope: FlowScope(nodeAddresses: own, serviceAddresses: [IPAddress("198.51.100.1")!, IPAddress("192.0.2.1")!],
                                                 zones: [0], reservedMarkBits: ConntrackMarks.noStateSync))
        #expect(filter.shouldSync(flow) == synced)
    }
}
