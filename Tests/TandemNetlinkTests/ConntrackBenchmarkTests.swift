import Foundation
import Testing
import TandemStateSync
import TandemTestSupport
@testable import TandemNetlink

/// The benchmark helper itself: small runs as tests; `TANDEM_BENCH=1` runs the sizes the
/// report quotes (10k/100k, with and without NAT) and compares the dump with `conntrack -L`.
@Suite("ConntrackBenchmark", .serialized)
struct ConntrackBenchmarkTests {
    @Test func syntheticFlowsAreDistinct() {
        let flows = ConntrackBenchmark.syntheticFlows(200_000)
        #expect(Set(flows.map(\.key)).count == 200_000)
        let natted = ConntrackBenchmark.syntheticFlows(200_000, sourceNAT: true)
        #expect(Set(natted.map { [$0.reply.source, $0.reply.destination].description + "\($0.reply.sourcePort) \($0.reply.destinationPort)" }).count == 200_000,
                "reply tuples are unique too")
        #expect(ConntrackBenchmark.syntheticFlows(3, sourceNAT: true).allSatisfy { $0.isSourceNAT })
    }

    @Test(.needsNetworkNamespaces) func injectsAndDumpsEverything() throws {
        let memory = ConntrackMemoryTable()
        let report = try ConntrackBenchmark.inject(ConntrackBenchmark.syntheticFlows(500), into: memory)
        #expect(report.entries == 500 && report.failures == 0)
        #expect(try ConntrackBenchmark.dump(memory).entries == 500)

        let bench = ProcessInfo.processInfo.environment["TANDEM_BENCH"] != nil
        let sizes = bench ? [10_000, 100_000] : [2_000]
        for nat in [false, true] {
            for n in sizes {
                let ns = try NetworkNamespace(purpose: "ct-bench")
                defer { ns.delete() }
                let table = try ns.run { try ConntrackKernelTable() }
                let flows = ConntrackBenchmark.syntheticFlows(n, sourceNAT: nat)
                let injected = try ConntrackBenchmark.inject(flows, into: table)
                #expect(injected.failures == 0)
                let dumped = try ConntrackBenchmark.dump(table)
                #expect(dumped.entries == n)
                if bench {
                    let start = Date()
                    let listing = try ns.exec(["conntrack", "-L"])
                    let cliSeconds = Date().timeIntervalSince(start)
                    let lines = listing.split(separator: "\n").filter { $0.hasPrefix("tcp") }.count
                    print("conntrack bench n=\(n) nat=\(nat): \(injected); \(dumped); conntrack -L: \(lines) entries in \(String(format: "%.3f", cliSeconds)) s")
                }
            }
        }
    }
}
