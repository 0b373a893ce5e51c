import Testing
@testable import TandemNetlink
import TandemRuleset
import TandemTestSupport

/// Rule counters read back from the kernel (the dashboard's top rules and /metrics), against
/// a table `nft -f` loads with counters set to known values.
@Suite("NftRuleCounters (kernel)", .serialized)
struct NftRuleCountersKernelTests {
    static let table = """
        table inet tandem {
          chain input {
            type filter hook input priority 0; policy accept;
            ip saddr 192.0.2.7 counter packets 7 bytes 420 accept comment "tracker 1700000001: allow admin host"
            ip saddr 192.0.2.8 counter packets 0 bytes 0 drop comment "tracker 1700000002: block"
            ip saddr 192.0.2.9 accept comment "no counter here"
            ip saddr 192.0.2.10 counter packets 3 bytes 180 accept
          }
          chain forward {
            type filter hook forward priority 0; policy accept;
            ip6 saddr 2001:db8::7 counter packets 5 bytes 600 accept comment "tracker 1700000001: allow admin host"
          }
        }

        """

    @Test(.needsNetworkNamespaces) func countersAndCommentsOfEveryRule() throws {
        let ns = try NetworkNamespace(purpose: "nft-ctr")
        defer { ns.delete() }
        #expect(try ns.run { try NftRuleCounters.read(.inet, table: "tandem") } == [])  // no table yet
        try ns.exec(["nft", "-f", "-"], input: Self.table)
        let samples = try ns.run { try NftRuleCounters.read(.inet, table: "tandem") }
        #expect(Set(samples) == [
            RuleCounterSample(chain: "input", comment: "tracker 1700000001: allow admin host", packets: 7, bytes: 420),
            RuleCounterSample(chain: "input", comment: "tracker 1700000002: block", packets: 0, bytes: 0),
            RuleCounterSample(chain: "input", comment: nil, packets: 3, bytes: 180),
            RuleCounterSample(chain: "forward", comment: "tracker 1700000001: allow admin host", packets: 5, bytes: 600),
        ])
    }
}
