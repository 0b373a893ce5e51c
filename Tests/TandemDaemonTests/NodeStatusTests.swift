import Foundation
import Testing
@testable import TandemDaemon

/// The state-sync section of `tandem status`: the agreement line in text and JSON.
@Suite struct NodeStatusTests {
    static func status(_ agreement: StateSyncAgreement?) -> NodeStatus {
        NodeStatus(node: NodeSummary(hostname: "secondaryfw", root: "/", pid: 7, configLoadedAt: nil, configError: nil,
                                     maintenance: false),
                   carp: [],
                   sync: StateSyncSection(interface: "sync0", peer: "203.0.113.1", state: "peer up", localFlows: 0,
                                          remoteFlows: 50, counters: ["digestsCompared": 4], agreement: agreement))
    }

    @Test(arguments: [
        (StateSyncAgreement(state: "agree", forSeconds: 42, checkedSecondsAgo: 3, peerFlows: 50, replicaFlows: 50),
         "  tables agree: 50 flows on both sides (for 42 s, checked 3 s ago)"),
        (StateSyncAgreement(state: "differ", forSeconds: 11, checkedSecondsAgo: 1, peerFlows: 50, replicaFlows: 49),
         "  tables differ: the peer has 50 flows, the replica here 49 (for 11 s, checked 1 s ago)"),
        (StateSyncAgreement(state: "unknown"), "  tables: agreement unknown (no conclusive comparison yet)"),
    ])
    func agreementLineFollowsTheSyncLine(_ agreement: StateSyncAgreement, _ line: String) throws {
        let lines = Self.status(agreement).text().split(separator: "\n").map(String.init)
        let sync = try #require(lines.firstIndex { $0.hasPrefix("state sync on sync0") })
        #expect(lines[sync + 1] == line)
    }

    @Test func agreementRoundTripsThroughJSON() throws {
        let status = Self.status(StateSyncAgreement(state: "differ", forSeconds: 11, checkedSecondsAgo: 1,
                                                    peerFlows: 50, replicaFlows: 49))
        let json = try JSONEncoder().encode(status)
        #expect(try JSONDecoder().decode(NodeStatus.self, from: json) == status)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let sync = try #require(object["sync"] as? [String: Any])
        let agreement = try #require(sync["agreement"] as? [String: Any])
        #expect(agreement["state"] as? String == "differ")
        #expect(agreement["replicaFlows"] as? Int == 49)
    }
}
