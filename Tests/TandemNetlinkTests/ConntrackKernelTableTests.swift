import Foundation
import Testing
import TandemAddress
import TandemStateSync
import TandemTestSupport
@testable import TandemNetlink

/// ctnetlink against a real kernel, each test in its own throwaway namespace.
@Suite("ConntrackKernelTable", .serialized)
struct ConntrackKernelTableTests {
    /// A fresh namespace and a table opened inside it.
    static func withTable(_ purpose: String, _ body: (NetworkNamespace, ConntrackKernelTable) throws -> Void) throws {
        let ns = try NetworkNamespace(purpose: purpose)
        defer { ns.delete() }
        let table = try ns.run { try ConntrackKernelTable() }
        try body(ns, table)
    }

    @Test(.needsNetworkNamespaces) func createsSNATEntryAndReadsItBack() throws {
        try Self.withTable("ct-create") { ns, table in
            let flow = ConntrackFixtures.snatTCP()
            try table.create(flow)
            let dumped = try table.dump()
            #expect(dumped.count == 1)
            let got = try #require(dumped.first)
            #expect(got.original == flow.original)
            #expect(got.reply == flow.reply)
            #expect(got.mark == 0x2a)
            // The kernel set the NAT up itself: SRC_NAT and its DONE bit, on top of what we sent.
            #expect(got.status & ConntrackInjection.Status.sourceNAT != 0)
            #expect(got.status & ConntrackInjection.Status.sourceNATDone != 0)
            #expect(got.status & ConntrackInjection.settableStatus == ConntrackInjection.settableStatus)
            #expect(got.timeout > 3500 && got.timeout <= 3600)
            let tcp = try #require(got.tcp)
            #expect(tcp.state == 3)
            #expect(tcp.originalFlags & ConntrackInjection.TCPFlag.beLiberal != 0)
            #expect(tcp.replyFlags & ConntrackInjection.TCPFlag.beLiberal != 0)
            #expect(tcp.originalWindowScale == 7 && tcp.replyWindowScale == 7)

            // The conntrack tool agrees on both tuples.
            let listing = try ns.exec(["conntrack", "-L", "-p", "tcp"])
            #expect(listing.contains("src=192.0.2.100 dst=198.51.100.254 sport=40000 dport=80"))
            #expect(listing.contains("src=198.51.100.254 dst=198.51.100.1 sport=80 dport=40000"))
            #expect(listing.contains("[ASSURED]"))
            #expect(listing.contains("mark=42"))
        }
    }

    @Test(.needsNetworkNamespaces) func createWithPortTranslation() throws {
        try Self.withTable("ct-pat") { _, table in
            let flow = ConntrackFixtures.snatTCP(sourcePort: 40001, natPort: 61001)
            try table.create(flow)
            let got = try #require(try table.get(flow.key))
            #expect(got.reply.destinationPort == 61001)
            #expect(got.reply.destination == ConntrackFixtures.v4("198.51.100.1"))
        }
    }

    @Test(.needsNetworkNamespaces, arguments: [ConntrackFixtures.dnatTCP(), ConntrackFixtures.doubleNATTCP(), ConntrackFixtures.snatUDP6(),
                      ConntrackFixtures.icmpWithIDNAT()])
    func createsEveryKindOfBinding(_ flow: FlowState) throws {
        try Self.withTable("ct-nat") { _, table in
            try table.create(flow)
            let got = try #require(try table.get(flow.key))
            #expect(got.reply == flow.reply)
            #expect((got.status & ConntrackInjection.Status.sourceNAT != 0) == flow.isSourceNAT)
            #expect((got.status & ConntrackInjection.Status.destinationNAT != 0) == flow.isDestinationNAT)
        }
    }

    @Test(.needsNetworkNamespaces) func updateChangesTimeoutAndMarkButNotNAT() throws {
        try Self.withTable("ct-update") { _, table in
            var flow = ConntrackFixtures.snatTCP()
            try table.create(flow)
            flow.timeout = 120
            flow.mark = 7
            try table.update(flow)
            let got = try #require(try table.get(flow.key))
            #expect(got.timeout <= 120 && got.timeout > 100)
            #expect(got.mark == 7)
            #expect(got.reply == flow.reply)

            // An update that would clear ASSURED is refused by the kernel (EBUSY); the
            // adapter keeps the kernel's status and still applies the rest.
            flow.status = 0
            flow.mark = 8
            try table.update(flow)
            let again = try #require(try table.get(flow.key))
            #expect(again.mark == 8)
            #expect(again.status & ConntrackInjection.Status.assured != 0)
        }
    }

    @Test(.needsNetworkNamespaces) func createTwiceIsEEXISTAndApplyUpdates() throws {
        try Self.withTable("ct-apply") { _, table in
            var flow = ConntrackFixtures.snatTCP()
            #expect(try table.apply(flow) == .created)
            #expect(throws: NetlinkError.self) { try table.create(flow) }
            do { try table.create(flow) } catch let error as NetlinkError { #expect(error.errno == EEXIST) }
            flow.mark = 99
            #expect(try table.apply(flow) == .updated)
            #expect(try table.get(flow.key)?.mark == 99)

            // Same original tuple, different binding: NAT cannot change in place, so the
            // entry is replaced and carries the new binding.
            let rebound = ConntrackFixtures.snatTCP(natPort: 50000)
            #expect(try table.apply(rebound) == .replaced)
            #expect(try table.get(flow.key)?.reply.destinationPort == 50000)
            #expect(try table.count() == 1)
        }
    }

    @Test(.needsNetworkNamespaces) func updateOfMissingEntryIsENOENT() throws {
        try Self.withTable("ct-missing") { _, table in
            do {
                try table.update(ConntrackFixtures.snatTCP())
                Issue.record("update of a missing entry succeeded")
            } catch let error as NetlinkError {
                #expect(error.errno == ENOENT)
                #expect(error.description.contains("src=192.0.2.100"))
            }
        }
    }

    @Test(.needsNetworkNamespaces) func deleteRemovesTheEntry() throws {
        try Self.withTable("ct-delete") { ns, table in
            let flow = ConntrackFixtures.snatTCP()
            try table.create(flow)
            #expect(try table.delete(flow.key))
            #expect(try table.get(flow.key) == nil)
            #expect(try table.count() == 0)
            #expect(try table.delete(flow.key) == false)
            #expect(!(try ns.exec(["conntrack", "-L"])).contains("192.0.2.100"))
        }
    }

    @Test(.needsNetworkNamespaces, arguments: [ConntrackFixtures.udp(), ConntrackFixtures.icmp(), ConntrackFixtures.tcp6(), ConntrackFixtures.icmp6()])
    func roundTripsOtherProtocols(_ flow: FlowState) throws {
        try Self.withTable("ct-proto") { _, table in
            try table.create(flow)
            let got = try #require(try table.get(flow.key))
            #expect(got.original == flow.original)
            #expect(got.reply == flow.reply)
            #expect(got.family == flow.family)
            #expect(got.l4proto == flow.l4proto)
            #expect(try table.count(family: flow.family) == 1)
            let other: IPFamily = flow.family == .ipv4 ? .ipv6 : .ipv4
            #expect(try table.count(family: other) == 0)
        }
    }

    @Test(.needsNetworkNamespaces) func zoneSeparatesIdenticalTuples() throws {
        try Self.withTable("ct-zone") { _, table in
            var a = ConntrackFixtures.udp()
            var b = a
            a.zone = 0
            b.zone = 7
            try table.create(a)
            try table.create(b)
            #expect(try table.count() == 2)
            #expect(try table.get(b.key)?.zone == 7)
            #expect(try table.delete(b.key))
            #expect(try table.get(a.key) != nil)
        }
    }

    @Test(.needsNetworkNamespaces) func dumpOfTenThousandInjectedEntriesIsComplete() throws {
        try Self.withTable("ct-bulk") { _, table in
            let flows = ConntrackFixtures.bulk(10_000)
            #expect(Set(flows.map(\.key)).count == 10_000)
            let results = try table.apply(flows)
            #expect(results.allSatisfy { (try? $0.get()) == .created })
            let dumped = try table.dump()
            #expect(dumped.count == 10_000)
            #expect(Set(dumped.map(\.key)) == Set(flows.map(\.key)))
            #expect(try table.count() == 10_000)
            #expect(try table.delete(flows.map(\.key)) == 10_000)
            #expect(try table.count() == 0)
        }
    }
}
