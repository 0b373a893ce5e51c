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

    static func isPing(_ f: FlowState) -> Bool {
        f.l4proto == 1 && f.original.source == IPAddress("192.0.2.100") && f.original.destination == IPAddress("198.51.100.254")
    }

    @Test func reportsNewAndDestroyForForwardedTraffic() throws {
        guard NetworkNamespace.available(for: "conntrack events") else { return }
        let lab = try ConntrackLab(firewalls: 1)
        defer { lab.delete() }
        let fw = lab.firewalls[0]
        // Short ICMP timeout so the entry dies (and reports DESTROY) within the test.
        try fw.exec(["sysctl", "-qw", "net.netfilter.nf_conntrack_icmp_timeout=1"])
        let monitor = try fw.run { try ConntrackEventMonitor() }
        #expect(monitor.isReliable)

        try lab.client.exec(["ping", "-c", "2", "-i", "0.2", "-W", "2", "198.51.100.254"])
        let events = try Self.collect(monitor, seconds: 15) { events in
            events.contains { if case .destroy(let f) = $0 { Self.isPing(f) } else { false } }
        }
        let new = events.compactMap { if case .new(let f) = $0, Self.isPing(f) { f } else { nil } }
        #expect(new.count == 1)
        #expect(new.first?.reply.destination == IPAddress("198.51.100.1"), "the event carries the NAT binding")
        #expect(events.contains { if case .destroy(let f) = $0 { Self.isPing(f) } else { false } })
        #expect(!events.contains(.resyncNeeded))
    }

    @Test func ownInsertionsAreNotReportedButOthersAre() throws {
        guard NetworkNamespace.available(for: "conntrack own events") else { return }
        let ns = try NetworkNamespace(purpose: "ct-own")
        defer { ns.delete() }
        let (mine, theirs, monitor) = try ns.run {
            let mine = try ConntrackKernelTable()
            let theirs = try ConntrackKernelTable()
            let monitor = try ConntrackEventMonitor(options: .init(ignoredPortIDs: [mine.portID]))
            return (mine, theirs, monitor)
        }
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
        #expect(monitor.counters.ownEventsIgnored == 2, "our NEW and DESTROY were skipped")
    }

    @Test func overrunWithoutReliableDeliveryAsksForResync() throws {
        guard NetworkNamespace.available(for: "conntrack overrun") else { return }
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
    }
}
