import Foundation
import Testing
import TandemCompiler
import TandemConfig
import TandemRuleset
import TandemTestSupport

/// Compile and render time at appliance scale (10,000 rules, a 100,000-entry alias) next to
/// `nft -c -f` of the same text in a namespace. A measurement, not a test: runs only with
/// TANDEM_BENCH=1 and prints the figures.
@Suite struct CompileBenchmark {
    static func bigConfig(rules: Int, aliasEntries: Int) -> String {
        var xml = """
        <pfsense><version>23.3</version><system><hostname>fw</hostname></system>
        <interfaces><wan><enable/><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>GW</gateway></wan>
        <lan><enable/><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan></interfaces>
        <gateways><gateway_item><interface>wan</interface><gateway>198.51.100.254</gateway><name>GW</name></gateway_item></gateways>
        <aliases><alias><name>big</name><type>host</type><address>
        """
        xml += (0..<aliasEntries).map { i in
            let n = i * 3
            return "172.\(16 + (n >> 16) % 16).\((n >> 8) & 255).\(n & 255)"
        }.joined(separator: " ")
        xml += "</address></alias></aliases>\n<filter>\n"
        for i in 0..<rules {
            xml += "<rule><tracker>\(100_000 + i)</tracker><type>\(i % 3 == 0 ? "block" : "pass")</type>"
            xml += "<interface>\(i % 2 == 0 ? "wan" : "lan")</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
            xml += "<source><address>10.\(i / 256 % 256).\(i % 256).0/24</address></source>"
            xml += "<destination><any/><port>\(1000 + i % 5000)</port></destination><descr>rule \(i)</descr></rule>\n"
        }
        xml += "<rule><tracker>1</tracker><type>block</type><interface>wan</interface><ipprotocol>inet</ipprotocol>"
        xml += "<source><address>big</address></source><destination><any/></destination></rule>\n</filter></pfsense>\n"
        return xml
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test func appliancescale() throws {
        guard ProcessInfo.processInfo.environment["TANDEM_BENCH"] == "1" else { return }
        let xml = Self.bigConfig(rules: 10_000, aliasEntries: 100_000)
        var config: Config?
        let parse = try Self.seconds { config = try ConfigDocument(text: xml).config }
        var compiled: RulesetCompilation?
        let compile = Self.seconds { compiled = RulesetCompiler.compile(config!) }
        var text = ""
        let render = Self.seconds { text = compiled!.ruleset.render() }
        var line = String(format: "compile+render, 10k rules + 100k alias entries: parse %.2f s, compile %.2f s, render %.2f s (%d lines)",
                          parse, compile, render, text.split(separator: "\n").count)
        if NetworkNamespace.available(for: "CompileBenchmark") {
            let ns = try NetworkNamespace(purpose: "bench")
            defer { ns.delete() }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-bench-\(UUID()).nft").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let check = try Self.seconds { try ns.exec(["nft", "-c", "-f", path]) }
            let load = try Self.seconds { try ns.exec(["nft", "-f", path]) }
            line += String(format: "; nft -c %.2f s, nft -f %.2f s", check, load)
        }
        print(line)
    }
}
