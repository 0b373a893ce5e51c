import Foundation
import Testing
import TandemAddress
import TandemStateSync
import TandemTestSupport
@testable import TandemNetlink

/// The core of "failover loses no connection": a live source-NATed TCP connection through
/// fw1 is dumped from fw1's kernel, injected into fw2's, the path moves to fw2 (fw1's links
/// go down), and the connection keeps working — while a second connection whose entry was
/// not injected is dropped by fw2 (`nf_conntrack_tcp_loose=0`), which shows the injection is
/// what carries the first one.
@Suite("Conntrack failover (kernel)", .serialized)
struct ConntrackFailoverTests {
    @Test(.needsNetworkNamespaces) func injectedEntryCarriesLiveNATedConnectionToThePeer() throws {
        let lab = try ConntrackLab(firewalls: 2)
        defer { lab.delete() }
        let (fw1, fw2) = (lab.firewalls[0], lab.firewalls[1])

        let listener = try lab.server.run { try LabSocket.listen("198.51.100.254", 8080) }
        let kept = try lab.client.run { try LabSocket.connect(from: "192.0.2.100", 40000, to: "198.51.100.254", 8080) }
        let keptServer = try listener.accept()
        let dropped = try lab.client.run { try LabSocket.connect(from: "192.0.2.100", 40001, to: "198.51.100.254", 8080) }
        let droppedServer = try listener.accept()
        try kept.send("before")
        #expect(keptServer.receive(within: 5) == "before")
        try keptServer.send("ack before")
        #expect(kept.receive(within: 5) == "ack before")
        try dropped.send("before")
        #expect(droppedServer.receive(within: 5) == "before")

        // fw1's entry for the kept connection, as the sync would carry it.
        let table1 = try fw1.run { try ConntrackKernelTable() }
        let flows = try table1.dump(family: .ipv4)
        let flow = try #require(flows.first { $0.l4proto == 6 && $0.original.sourcePort == 40000 })
        #expect(flow.original.destination == IPAddress("198.51.100.254"))
        #expect(flow.reply.destination == IPAddress("198.51.100.1"), "fw1 source-NATed the connection")
        #expect(flow.tcp?.state == 3)
        #expect(flow.status & ConntrackInjection.Status.assured != 0)

        let table2 = try fw2.run { try ConntrackKernelTable() }
        #expect(try table2.apply(flow) == .created)

        // Failover: fw1 disappears, traffic goes through fw2.
        try fw1.exec(["ip", "link", "set", "lan1", "down"])
        try fw1.exec(["ip", "link", "set", "wan1", "down"])
        try lab.route(through: 2)

        try kept.send("after")
        #expect(keptServer.receive(within: 5) == "after", "the injected connection reaches the server through fw2")
        try keptServer.send("ack after")
        #expect(kept.receive(within: 5) == "ack after", "and the answer comes back through fw2's NAT")

        // Bulk data with window scaling through fw2: the injected entry re-learns the
        // window from the first packets (be-liberal), no segment is dropped as invalid.
        let bulk = 4 << 20
        let sending = DispatchGroup()
        DispatchQueue.global().async(group: sending) { try? keptServer.sendBulk(bulk) }
        let got = kept.receiveBulk(bulk, within: 5)
        #expect(sending.wait(timeout: .now() + 10) == .success)
        #expect(got.bytes == bulk && got.intact, "4 MiB from the server arrive intact through fw2")

        try dropped.send("after")
        #expect(droppedServer.receive(within: 2) == nil, "fw2 drops a connection it was not given")

        let onFW2 = try #require(try table2.get(flow.key))
        #expect(onFW2.reply == flow.reply)
    }

    /// The mirror's path end to end: fw1's events (NEW in SYN_SENT, UPDATEs as the handshake
    /// completes) are applied to fw2 as they arrive, with fw2's own injections not echoed
    /// back; after the move the connection keeps working through fw2.
    @Test(.needsNetworkNamespaces) func eventDrivenMirrorCarriesTheConnection() throws {
        let lab = try ConntrackLab(firewalls: 2)
        defer { lab.delete() }
        let (fw1, fw2) = (lab.firewalls[0], lab.firewalls[1])
        let events1 = try fw1.run { try ConntrackEventMonitor() }
        let table2 = try fw2.run { try ConntrackKernelTable() }
        let events2 = try fw2.run { try ConntrackEventMonitor(ignoringEventsOf: [table2]) }

        let listener = try lab.server.run { try LabSocket.listen("198.51.100.254", 8080) }
        let conn = try lab.client.run { try LabSocket.connect(from: "192.0.2.100", 40010, to: "198.51.100.254", 8080) }
        let served = try listener.accept()
        try conn.send("before")
        #expect(served.receive(within: 5) == "before")

        // Mirror fw1 → fw2 until fw2 holds the connection as established and assured.
        var outcomes: [ConntrackApplyOutcome] = []
        let deadline = Date().addingTimeInterval(10)
        func mirrored() throws -> Bool {
            guard let f = try table2.dump().first(where: { $0.original.sourcePort == 40010 }) else { return false }
            return f.tcp?.state == 3 && f.status & ConntrackInjection.Status.assured != 0
        }
        while Date() < deadline, try !mirrored() {
            for event in try events1.receive(timeoutMilliseconds: 100) {
                switch event {
                case .new(let f), .update(let f): outcomes.append(try table2.apply(f))
                case .destroy(let f): try table2.delete(f.key)
                case .resyncNeeded:
                    for r in try table2.apply(try fw1.run { try ConntrackKernelTable() }.dump()) { _ = try r.get() }
                }
            }
        }
        #expect(try mirrored())
        #expect(outcomes.first == .created)
        #expect(outcomes.dropFirst().allSatisfy { $0 == .updated })
        #expect(try events2.receive(timeoutMilliseconds: 0).isEmpty, "fw2's own injections are not reported back")
        #expect(events2.filtersInKernel, "the kernel drops them before they wake the reader")

        try fw1.exec(["ip", "link", "set", "lan1", "down"])
        try fw1.exec(["ip", "link", "set", "wan1", "down"])
        try lab.route(through: 2)
        try conn.send("after")
        #expect(served.receive(within: 5) == "after")
        try served.send("ack")
        #expect(conn.receive(within: 5) == "ack")
    }
}
