import Testing
import TandemCompiler
import TandemConfig
import TandemRuleset
import TandemTestSupport

/// No pass rule is broader than its config (issue #20): over random rules with conditions
/// Tandem can and cannot enforce (tags, schedules, policy routing, `interfacenot`, unknown
/// ICMP types), every pass rule with one it cannot enforce is left out and listed, and every
/// compiled accept keeps each condition of its rule.
@Suite struct NeverBroaderTests {
    static let interfaces = """
        <interfaces>
        <wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>GW</gateway></wan>
        <lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
        </interfaces>
        <gateways><gateway_item><interface>wan</interface><gateway>198.51.100.1</gateway><name>GW</name></gateway_item></gateways>
        <schedules>
        <schedule><name>office</name><timerange><position>1,2,3,4,5</position><hour>8:00-17:00</hour></timerange></schedule>
        <schedule><name>dates</name><timerange><month>12</month><day>24</day></timerange></schedule>
        </schedules>
        """

    struct Spec {
        var pass: Bool
        var tag: Int?, tagged: Int?, schedule: String?, gateway: Bool, icmp: String?

        var enforceable: Bool {
            (!pass || !gateway) && schedule != "dates" && schedule != "missing"
                && (tagged.map { $0 < ConntrackMarks.tagBits.count } ?? true) && icmp != "bogus"
        }
    }

    static func random(_ rng: inout SplitMix64) -> Spec {
        func maybe<T>(_ v: @autoclosure () -> T) -> T? { rng.next() % 3 == 0 ? v() : nil }
        return Spec(pass: rng.next() % 4 != 0,
                    tag: maybe(Int(rng.next() % 12)), tagged: maybe(Int(rng.next() % 12)),
                    schedule: maybe(["office", "dates", "missing"][Int(rng.next() % 3)]),
                    gateway: rng.next() % 5 == 0, icmp: maybe(["echoreq", "bogus"][Int(rng.next() % 2)]))
    }

    static func xml(_ s: Spec, floating: Bool) -> String {
        var x = "<rule><type>\(s.pass ? "pass" : "block")</type><interface>lan</interface><ipprotocol>inet</ipprotocol>"
        if floating { x += "<floating>yes</floating><quick>yes</quick><direction>in</direction>" }
        if let icmp = s.icmp { x += "<protocol>icmp</protocol><icmptype>\(icmp)</icmptype>" }
        if let t = s.tag { x += "<tag>T\(t)</tag>" }
        if let t = s.tagged { x += "<tagged>T\(t)</tagged>" }
        if let n = s.schedule { x += "<sched>\(n)</sched>" }
        if s.gateway { x += "<gateway>GW</gateway>" }
        return x + "<source><any></any></source><destination><any></any></destination></rule>"
    }

    @Test func passRulesAreNeverBroader() throws {
        var rng = SplitMix64(seed: 20)
        for round in 0..<40 {
            let specs = (0..<30).map { _ in Self.random(&rng) }
            let floating = round % 2 == 1
            let body = Self.interfaces + "<filter>" + specs.map { Self.xml($0, floating: floating) }.joined() + "</filter>"
            let config = try Config(xml: "<?xml version=\"1.0\"?><pfsense><version>23.3</version>\(body)</pfsense>")
            let compiled = RulesetCompiler.compile(config, utcOffsetMinutes: 0)
            let rules = compiled.ruleset.tables.flatMap(\.chains).flatMap(\.rules)
            let leftOut = Set(compiled.leftOut.map(\.path))
            // Tags are given bits in order of first use; a `tagged` past the last bit is unenforceable.
            var order: [Int] = []
            for s in specs { for t in [s.tag, s.tagged].compactMap({ $0 }) where !order.contains(t) { order.append(t) } }
            for (i, spec) in specs.enumerated() {
                let path = "filter/rule[\(i + 1)]"
                var s = spec
                s.tagged = spec.tagged.map { order.firstIndex(of: $0)! }
                let compiledRules = rules.filter { $0.origin?.path == path }
                if s.pass && !s.enforceable {
                    #expect(leftOut.contains(path) && compiledRules.isEmpty, "round \(round) \(path): \(spec)")
                    continue
                }
                #expect(!leftOut.contains(path), "round \(round) \(path): \(spec)")
                #expect(!compiledRules.isEmpty, "round \(round) \(path): \(spec)")
                for rule in compiledRules where s.pass {
                    if s.tagged != nil {
                        #expect(rule.matches.contains { if case .ctMark = $0 { true } else { false } }, "\(path): \(spec)")
                    }
                    if s.schedule == "office" {
                        #expect(rule.matches.contains { if case .metaHour = $0 { true } else { false } }, "\(path): \(spec)")
                    }
                    if s.icmp == "echoreq" {
                        #expect(rule.matches.contains { if case .icmpType = $0 { true } else { false } }, "\(path): \(spec)")
                    }
                }
            }
        }
    }
}
