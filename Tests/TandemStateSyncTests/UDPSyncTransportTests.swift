import Testing
import TandemAddress
import TandemTestSupport
@testable import TandemStateSync

/// Two drivers on real UDP sockets in two namespaces joined by a veth pair
/// (203.0.113.0/30, the reference scenario's sync link).
@Suite(.serialized) struct UDPSyncTransportTests {
    static let a = IPAddress("203.0.113.1")!
    static let b = IPAddress("203.0.113.2")!

    final class Node {
        let driver: SyncDriver
        var mirror: [FlowKey: FlowState] = [:]
        init(_ transport: UDPSyncTransport, secret: String) {
            driver = SyncDriver(key: try! SyncKey(secret: Array(secret.utf8)), transport: transport)
            driver.onRemoteChanges = { [unowned self] changes in
                for change in changes {
                    switch change {
                    case .update(let flow): mirror[flow.key] = flow
                    case .delete(let key): mirror[key] = nil
                    }
                }
            }
        }
    }

    /// Turns both drivers until `done` or `limit` passes; returns the time taken.
    @discardableResult
    static func run(_ nodes: [Node], limit: Duration, until done: () -> Bool) -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < limit {
            for n in nodes { n.driver.runOnce(maxWait: .milliseconds(2)) }
            if done() { break }
        }
        return clock.now - start
    }

    @Test func twoNodesExchangeAThousandFlowsAndRejectAWrongKey() throws {
        guard NetworkNamespace.available(for: "UDPSyncTransportTests") else { return }
        let nsA = try NetworkNamespace(purpose: "sync-a")
        let nsB = try NetworkNamespace(purpose: "sync-b")
        defer { nsA.delete(); nsB.delete() }
        try connect(nsA, "sync0", "203.0.113.1/30", nsB, "sync0", "203.0.113.2/30")

        let ta = try nsA.run { try UDPSyncTransport(local: Self.a, peer: Self.b, device: "sync0") }
        let tb = try nsB.run { try UDPSyncTransport(local: Self.b, peer: Self.a, device: "sync0") }
        let a = Node(ta, secret: "hasync password")
        let b = Node(tb, secret: "hasync password")
        a.driver.start()
        b.driver.start()
        Self.run([a, b], limit: .seconds(5)) { !a.driver.status.initialBulkPending && !b.driver.status.initialBulkPending }
        #expect(b.driver.status.lastBulkCompleted != nil)

        a.driver.local((0..<1000).map { .update(Flows.tcp($0)) })
        b.driver.local((0..<50).map { .update(Flows.udp6($0)) })
        let took = Self.run([a, b], limit: .seconds(10)) {
            b.mirror == a.driver.core.localFlows && a.mirror == b.driver.core.localFlows
                && a.driver.status.resendQueue == 0
        }
        #expect(b.mirror.count == 1000)
        #expect(b.mirror == a.driver.core.localFlows)
        #expect(a.mirror == b.driver.core.localFlows)
        print("sync: 1000 flows replicated over veth in \(took), \(a.driver.status.counters.datagramsSent) datagrams from A")

        // A node with the wrong key at A's address and port: counted, nothing changes.
        let before = b.mirror
        let rejectedBefore = b.driver.status.counters.rejected[.badAuthentication, default: 0]
        let aSession = a.driver.core.session
        let forger = try nsA.run { () throws -> Node in
            let t = try UDPSyncTransport(local: Self.a, peer: Self.b, device: "sync0")
            return Node(t, secret: "not the password")
        }
        forger.driver.start()
        forger.driver.local((2000..<2100).map { .update(Flows.tcp($0)) })
        forger.driver.local((0..<100).map { .delete(Flows.tcp($0).key) })
        Self.run([forger, b], limit: .milliseconds(300)) { false }
        #expect(b.driver.status.counters.rejected[.badAuthentication, default: 0] > rejectedBefore)
        #expect(b.mirror == before)
        #expect(b.driver.status.peerSession == aSession)
    }
}
