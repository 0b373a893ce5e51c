import Testing
import TandemNetlink
@testable import TandemDaemon

/// The dashboard's top rules: summed per config rule, busiest first, bounded.
@Suite struct TopRulesTests {
    @Test func summedPerCommentBusiestFirst() {
        let samples = [
            RuleCounterSample(chain: "input", comment: "tracker 1700000001: allow admin host", packets: 7, bytes: 420),
            RuleCounterSample(chain: "forward", comment: "tracker 1700000001: allow admin host", packets: 5, bytes: 600),
            RuleCounterSample(chain: "input", comment: "CARP operation", packets: 9, bytes: 500),
            RuleCounterSample(chain: "input", comment: "tracker 1700000002: block", packets: 0, bytes: 0),
            RuleCounterSample(chain: "input", comment: nil, packets: 100, bytes: 1000),
        ]
        let top = NodeDaemon.topRules(samples, limit: 10)
        #expect(top.map(\.tracker) == ["1700000001", "-"])
        #expect(top[0].description == "allow admin host" && top[0].packets == 12 && top[0].bytes == 1020)
        #expect(top[1].description == "CARP operation" && top[1].packets == 9)
        #expect(NodeDaemon.topRules(samples, limit: 1).count == 1)
    }
}
