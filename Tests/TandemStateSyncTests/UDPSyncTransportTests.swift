#if canImport(Glibc)
import Glibc
#endif
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

    @Test(.needsNetworkNamespaces) func twoNodesExchangeAThousandFlowsAndRejectAWrongKey() throws {
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

        // Datagrams under the wrong key from A's address and port (sent through A's socket:
        // the bind is exclusive): counted, nothing changes.
        let before = b.mirror
        let rejectedBefore = b.driver.status.counters.rejected[.badAuthentication, default: 0]
        let aSession = a.driver.core.session
        let forger = SyncCodec(key: try SyncKey(secret: Array("not the password".utf8)))
        for i in 0..<20 {
            let forged = SyncDatagram(session: aSession, peerSession: b.driver.core.session, packet: 1_000_000 + UInt64(i),
                                      sent: 100_000, ack: 0, records: [.delete(seq: 99_999, Flows.tcp(i).key)])
            _ = try a.driver.transport.send(forger.encode(forged))
        }
        Self.run([b], limit: .milliseconds(300)) { false }
        #expect(b.driver.status.counters.rejected[.badAuthentication, default: 0] >= rejectedBefore + 20)
        #expect(b.mirror == before)
        #expect(b.driver.status.peerSession == aSession)
    }

    /// A restarted node (new process, new session, same address and port) gets all of the
    /// peer's flows by a bulk transfer, and its initial-bulk wait ends.
    @Test(.needsNetworkNamespaces) func restartedNodeReceivesEverythingByBulk() throws {
        let nsA = try NetworkNamespace(purpose: "sync-a")
        let nsB = try NetworkNamespace(purpose: "sync-b")
        defer { nsA.delete(); nsB.delete() }
        try connect(nsA, "sync0", "203.0.113.1/30", nsB, "sync0", "203.0.113.2/30")
        let a = Node(try nsA.run { try UDPSyncTransport(local: Self.a, peer: Self.b, device: "sync0") }, secret: "pw")
        var b: Node? = Node(try nsB.run { try UDPSyncTransport(local: Self.b, peer: Self.a, device: "sync0") }, secret: "pw")
        a.driver.start()
        b!.driver.start()
        a.driver.local((0..<1000).map { .update(Flows.tcp($0)) })
        Self.run([a, b!], limit: .seconds(10)) { b!.mirror.count == 1000 }
        #expect(b!.mirror.count == 1000)

        b = nil  // the process ends; its socket closes
        let restarted = Node(try nsB.run { try UDPSyncTransport(local: Self.b, peer: Self.a, device: "sync0") }, secret: "pw")
        var notices: [SyncNotice] = []
        restarted.driver.onNotice = { notices.append($0) }
        restarted.driver.start()
        let took = Self.run([a, restarted], limit: .seconds(10)) { restarted.mirror == a.driver.core.localFlows }
        #expect(restarted.mirror == a.driver.core.localFlows)
        #expect(notices.contains(.initialBulk(.completed)))
        #expect(a.driver.status.counters.peerRestarts == 1)
        print("sync: bulk of 1000 flows to a restarted peer over veth in \(took)")
    }

    /// The same over IPv6 (2001:db8::/32 on the veth, DAD off so the addresses are usable at once).
    @Test(.needsNetworkNamespaces) func worksOverIPv6() throws {
        let nsA = try NetworkNamespace(purpose: "sync6-a")
        let nsB = try NetworkNamespace(purpose: "sync6-b")
        defer { nsA.delete(); nsB.delete() }
        try connect(nsA, "sync0", nil, nsB, "sync0", nil)
        try nsA.exec(["ip", "address", "add", "2001:db8:5::1/64", "dev", "sync0", "nodad"])
        try nsB.exec(["ip", "address", "add", "2001:db8:5::2/64", "dev", "sync0", "nodad"])
        let a6 = IPAddress("2001:db8:5::1")!, b6 = IPAddress("2001:db8:5::2")!
        let a = Node(try nsA.run { try UDPSyncTransport(local: a6, peer: b6, device: "sync0") }, secret: "pw")
        let b = Node(try nsB.run { try UDPSyncTransport(local: b6, peer: a6, device: "sync0") }, secret: "pw")
        a.driver.start()
        b.driver.start()
        a.driver.local((0..<200).map { .update(Flows.udp6($0)) })
        Self.run([a, b], limit: .seconds(10)) { b.mirror == a.driver.core.localFlows }
        #expect(b.mirror.count == 200)
        #expect(b.mirror == a.driver.core.localFlows)
        #expect(b.driver.status.counters.rejectedTotal == 0)
    }

    /// Set-up errors name the call and what it was applied to.
    @Test(.needsNetworkNamespaces) func setUpErrorsSayWhatFailed() throws {
        let ns = try NetworkNamespace(purpose: "sync-err")
        defer { ns.delete() }
        let noDevice = try ns.run { () -> SyncSocketError? in
            do throws(SyncSocketError) { _ = try UDPSyncTransport(local: Self.a, peer: Self.b, device: "nosuch0"); return nil } catch { return error }
        }
        #expect(noDevice?.call == "setsockopt")
        #expect(noDevice?.description.contains("SO_BINDTODEVICE nosuch0") == true)
        let notLocal = try ns.run { () -> SyncSocketError? in
            do throws(SyncSocketError) { _ = try UDPSyncTransport(local: Self.a, peer: Self.b); return nil } catch { return error }
        }
        #expect(notLocal?.call == "bind")
        #expect(notLocal?.description.contains("203.0.113.1:4877") == true)
        #expect(throws: SyncSocketError.self) {
            try UDPSyncTransport(local: Self.a, peer: IPAddress("2001:db8::1")!)
        }
    }
}

/// The sync socket's bind is exclusive (issue 16 item 7): with SO_REUSEADDR a local user
/// could bind the same address and port and be handed the peer's datagrams.
@Suite(.serialized) struct UDPSyncTransportBindTests {
    @Test(.needsNetworkNamespaces) func aSecondBindOnTheSyncAddressFails() throws {
        let ns = try NetworkNamespace(purpose: "sync-bind")
        defer { ns.delete() }
        let local = IPAddress("127.0.0.1")!, peer = IPAddress("127.0.0.2")!
        try ns.run {
            let first = try UDPSyncTransport(local: local, peer: peer)
            // Another daemon, or anything else using the transport's options.
            #expect(throws: SyncSocketError.self) { _ = try UDPSyncTransport(local: local, peer: peer) }
            // A local user's socket asking for SO_REUSEADDR itself.
            let fd = try Syscall.udpSocket(.ipv4)
            defer { Syscall.close(fd) }
            try Syscall.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            do throws(SyncSocketError) {
                try Syscall.bind(fd, SocketAddress(local, port: UDPSyncTransport.defaultPort))
                Issue.record("a second socket bound \(local):\(UDPSyncTransport.defaultPort)")
            } catch {
                #expect(error.errno == EADDRINUSE)
            }
            _ = first
        }
    }
}

