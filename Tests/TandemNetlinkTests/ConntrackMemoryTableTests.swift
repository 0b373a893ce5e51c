import Foundation
import Testing
import TandemAddress
import TandemStateSync
import TandemTestSupport
@testable import TandemNetlink

/// The in-memory table must behave as the kernel adapter does: one script, run against
/// both, gives the same outcomes and the same final table.
@Suite("ConntrackMemoryTable contract", .serialized)
struct ConntrackMemoryTableTests {
    enum Outcome: Hashable { case ok(ConntrackApplyOutcome?), errno(Int32), deleted(Bool) }

    static func script(_ table: some ConntrackTable) -> [Outcome] {
        func run(_ body: () throws -> ConntrackApplyOutcome?) -> Outcome {
            do { return .ok(try body()) } catch let error as NetlinkError { return .errno(error.errno) } catch { return .errno(-1) }
        }
        var snat = ConntrackFixtures.snatTCP()
        var out: [Outcome] = []
        out.append(run { try table.apply(snat) })
        out.append(run { try table.create(snat); return nil })
        snat.mark = 5
        snat.timeout = 300
        snat.status = 0  // would clear ASSURED: kept
        out.append(run { try table.apply(snat) })
        out.append(run { try table.apply(ConntrackFixtures.snatTCP(natPort: 50000)) })
        for f in [ConntrackFixtures.udp(), ConntrackFixtures.icmp(), ConntrackFixtures.tcp6(), ConntrackFixtures.icmp6(),
                  ConntrackFixtures.dnatTCP(), ConntrackFixtures.doubleNATTCP(), ConntrackFixtures.snatUDP6()] {
            out.append(run { try table.apply(f) })
        }
        out.append(run { try table.update(ConntrackFixtures.udp(sourcePort: 1)); return nil })
        out.append((try? table.delete(ConntrackFixtures.udp().key)).map(Outcome.deleted) ?? .errno(-1))
        out.append((try? table.delete(ConntrackFixtures.udp().key)).map(Outcome.deleted) ?? .errno(-1))
        return out
    }

    /// What both must agree on (timers tick in the kernel; dumps report extra bits such as
    /// CONFIRMED and the NAT_DONE bits, which are the kernel's own business).
    struct Comparable: Hashable {
        var key: FlowKey
        var reply: FlowTuple
        var status: UInt32
        var mark: UInt32
        var tcpState: UInt8?
        var tcpFlags: [UInt8]?
        init(_ f: FlowState) {
            key = f.key
            reply = f.reply
            status = f.status & (ConntrackInjection.settableStatus | ConntrackInjection.Status.sourceNAT
                                 | ConntrackInjection.Status.destinationNAT)
            mark = f.mark
            tcpState = f.tcp?.state
            tcpFlags = f.tcp.map { [$0.originalFlags & ConntrackInjection.tcpFlagMask, $0.replyFlags & ConntrackInjection.tcpFlagMask] }
        }
    }

    static let expected: [Outcome] = [.ok(.created), .errno(EEXIST), .ok(.updated), .ok(.replaced),
                                      .ok(.created), .ok(.created), .ok(.created), .ok(.created),
                                      .ok(.created), .ok(.created), .ok(.created),
                                      .errno(ENOENT), .deleted(true), .deleted(false)]

    @Test func memoryTableGivesTheKernelsOutcomes() throws {
        let memory = ConntrackMemoryTable()
        #expect(Self.script(memory) == Self.expected)
        #expect(try memory.count() == 7)
    }

    /// The kernel half of the contract: skipped with the reason where namespaces cannot be made.
    @Test(.needsNetworkNamespaces) func memoryTableBehavesAsTheKernel() throws {
        let memory = ConntrackMemoryTable()
        let expected = Self.expected
        #expect(Self.script(memory) == expected)
        let ns = try NetworkNamespace(purpose: "ct-contract")
        defer { ns.delete() }
        let kernel = try ns.run { try ConntrackKernelTable() }
        #expect(Self.script(kernel) == expected)
        let k = Set(try kernel.dump().map(Comparable.init))
        let m = Set(try memory.dump().map(Comparable.init))
        #expect(k == m)
        for f in try kernel.dump() {
            let twin = try #require(try memory.get(f.key))
            #expect(abs(Int(f.timeout) - Int(twin.timeout)) <= 5)
        }
    }

    /// The batched create-or-update path (GETs, updates, EBUSY retries and rebinds in
    /// rounds) decides as the one-by-one path does.
    static func batchScript(_ table: some ConntrackTable) throws -> [ConntrackApplyOutcome?] {
        let first = [ConntrackFixtures.snatTCP(), ConntrackFixtures.udp(), ConntrackFixtures.dnatTCP()]
        _ = try table.apply(first)
        var marked = ConntrackFixtures.snatTCP()
        marked.mark = 77
        var cleared = ConntrackFixtures.dnatTCP()
        cleared.status = 0     // EBUSY in the kernel: status kept, the rest updated
        cleared.timeout = 100
        let second = [marked, ConntrackFixtures.udp(sourcePort: 5353).rebound(), cleared, ConntrackFixtures.icmp()]
        return try table.apply(second).map { try? $0.get() }
    }

    @Test(.needsNetworkNamespaces) func batchedApplyDecidesAsTheKernel() throws {
        let memory = ConntrackMemoryTable()
        let expected: [ConntrackApplyOutcome?] = [.updated, .replaced, .updated, .created]
        #expect(try Self.batchScript(memory) == expected)
        let ns = try NetworkNamespace(purpose: "ct-batch")
        defer { ns.delete() }
        let kernel = try ns.run { try ConntrackKernelTable() }
        #expect(try Self.batchScript(kernel) == expected)
        #expect(Set(try kernel.dump().map(Comparable.init)) == Set(try memory.dump().map(Comparable.init)))
        #expect(try kernel.get(ConntrackFixtures.snatTCP().key)?.mark == 77)
        #expect(try kernel.get(ConntrackFixtures.dnatTCP().key)?.timeout ?? 0 <= 100)
    }
}

extension FlowState {
    /// The same flow source-NATed to another address (a binding the kernel cannot change in
    /// place).
    func rebound() -> FlowState {
        var f = self
        f.reply.destination = IPAddress("198.51.100.77")!
        return f
    }
}
