import Foundation
import Testing
import TandemAddress
import TandemStateSync
import TandemTestSupport
@testable import TandemNetlink

@Suite("ConntrackEventMonitor (kernel)", .serialized)
struct ConntrackEventMonitorTests {
    /// Polls `monitor` until `done` holds for what was collected, at most `seconds`.
    static func collect(_ monitor: ConntrackEventMonitor, seconds: Double,
                        until done: ([ConntrackEvent]) -> Bool) throws -> [ConntrackEvent] {
        var events: [ConntrackEvent] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !done(events) {
            events += try monitor.receive(timeoutMilliseconds: 100)
        }
        return events
    }

    static func isClientFlow(_ f: FlowState) -> Bool {
        f.l4proto == 6 && f.original.source == IPAddress("192.0.2.100") && f.original.sourcePort == 40002
    }

    /// NEW from a real connection through the firewall; DESTROY from the same client
    /// aborting it (RST) and connecting again from the same port: the SYN finds the aborted
    /// entry and the kernel kills it at once (nf_conntrack_proto_tcp.c, "reopen a
    /// closed/aborted connection"), so no timer or GC pass is waited for.
    @Test(.needsNetworkNamespaces) func reportsNewAndDestroyForForwardedTraffic() throws {
        let lab = try ConntrackLab(firewalls: 1)
        defer { lab.delete() }
        let fw = lab.firewalls[0]
        let monitor = try fw.run { try ConntrackEventMonitor() }
        #expect(monitor.isReliable)

        let listener = try lab.server.run { try LabSocket.listen("198.51.100.254", 8080) }
        do {
            let first = try lab.client.run { try LabSocket.connect(from: "192.0.2.100", 40002, to: "198.51.100.254", 8080) }
            let accepted = try listener.accept()
            try first.send("x")
            #expect(accepted.receive(within: 5) == "x")
            first.resetOnClose()
            first.close()
        }
        // The same 4-tuple again. A connect racing the abort's cleanup is refused with
        // EADDRNOTAVAIL (the tuple still hashed): retried, for at most 2 s.
        let retryUntil = Date().addingTimeInterval(2)
        var again: LabSocket?
        while again == nil {
            do {
                again = try lab.client.run { try LabSocket.connect(from: "192.0.2.100", 40002, to: "198.51.100.254", 8080) }
            } catch let e as LabSocket.Failure where e.errno == EADDRNOTAVAIL && Date() < retryUntil {
                usleep(50_000)
            }
        }
        _ = again

        let events = try Self.collect(monitor, seconds: 10) { events in
            events.contains { if case .destroy(let f) = $0 { Self.isClientFlow(f) } else { false } }
                && events.filter { if case .new(let f) = $0 { Self.isClientFlow(f) } else { false } }.count >= 2
        }
        let new = events.compactMap { if case .new(let f) = $0, Self.isClientFlow(f) { f } else { nil } }
        #expect(new.count == 2, "one NEW per connection")
        #expect(new.first?.reply.destination == IPAddress("198.51.100.1"), "the event carries the NAT binding")
        #expect(events.contains { if case .update(let f) = $0 { Self.isClientFlow(f) } else { false } },
                "the handshake's progress is reported as UPDATE")
        #expect(events.contains { if case .destroy(let f) = $0 { Self.isClientFlow(f) } else { false } })
        #expect(!events.contains(.resyncNeeded))
    }

    /// With the socket filter the kernel drops our own events before queueing them (none
    /// reaches the socket); without it the monitor skips and counts them.
    @Test(.needsNetworkNamespaces, arguments: [true, false])
    func ownInsertionsAreNotReportedButOthersAre(kernelFilter: Bool) throws {
        let ns = try NetworkNamespace(purpose: "ct-own")
        defer { ns.delete() }
        let (mine, theirs, monitor) = try ns.run {
            let mine = try ConntrackKernelTable()
            let theirs = try ConntrackKernelTable()
            let monitor = try ConntrackEventMonitor(options: .init(ignoredPortIDs: [mine.portID], kernelFilter: kernelFilter))
            return (mine, theirs, monitor)
        }
        #expect(monitor.filtersInKernel == kernelFilter)
        let own = ConntrackFixtures.snatTCP()
        let foreign = ConntrackFixtures.udp()
        try mine.create(own)
        try mine.delete(own.key)
        try theirs.create(foreign)
        let events = try Self.collect(monitor, seconds: 5) { events in
            events.contains { if case .new(let f) = $0 { f.key == foreign.key } else { false } }
        }
        #expect(events.allSatisfy { event in
            switch event {
            case .new(let f), .update(let f), .destroy(let f): f.key != own.key
            case .resyncNeeded: false
            }
        })
        let newForeign = events.contains { if case .new(let f) = $0 { f.key == foreign.key } else { false } }
        #expect(newForeign, "an insertion by another socket is reported")
        #expect(monitor.counters.ownEventsIgnored == (kernelFilter ? 0 : 2), "our NEW and DESTROY were skipped")
    }

    @Test(.needsNetworkNamespaces) func overrunWithoutReliableDeliveryAsksForResync() throws {
        let ns = try NetworkNamespace(purpose: "ct-overrun")
        defer { ns.delete() }
        let (table, monitor) = try ns.run {
            (try ConntrackKernelTable(),
             try ConntrackEventMonitor(options: .init(reliable: false, receiveBufferBytes: 4096)))
        }
        #expect(!monitor.isReliable)
        // Not reading while 2,000 NEW events are sent overflows a 4 KiB buffer.
        _ = try table.apply(ConntrackFixtures.bulk(2000))
        let events = try Self.collect(monitor, seconds: 5) { $0.contains(.resyncNeeded) }
        #expect(events.contains(.resyncNeeded))
        #expect(monitor.counters.overruns >= 1)
        // Emptying the queue ends the kernel's congested state, so the next overrun is
        // reported again: the daemon dumps the table only after `drained`, and then misses
        // no silent drop.
        _ = try Self.collect(monitor, seconds: 5) { _ in monitor.drained }
        #expect(monitor.drained)
        let overruns = monitor.counters.overruns
        _ = try table.apply(ConntrackFixtures.bulk(2000).map { var f = $0; f.timeout -= 10; return f })
        let again = try Self.collect(monitor, seconds: 5) { $0.contains(.resyncNeeded) }
        #expect(again.contains(.resyncNeeded))
        #expect(monitor.counters.overruns > overruns)
    }
}
