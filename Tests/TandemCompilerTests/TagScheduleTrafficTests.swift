import Foundation
import Testing
import TandemCompiler
import TandemConfig
import TandemTestSupport

/// pf tags and schedules in the kernel (issue #20): a floating "block out on WAN tagged X"
/// kill switch stops only the tagged flows, and of two scheduled pass rules the one whose
/// window holds now passes and the other does not. The windows are computed from the clock
/// when the test runs.
@Suite(.serialized) struct TagScheduleTrafficTests {
    /// pfSense's weekday position (1 = Monday … 7 = Sunday) and minute of the day, in UTC.
    static func nowInUTC() -> (position: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.weekday, .hour, .minute], from: Date())
        return ((c.weekday! + 5) % 7 + 1, c.hour! * 60 + c.minute!)
    }

    static func clock(_ minute: Int) -> String { "\(minute / 60):\(minute % 60 < 10 ? "0" : "")\(minute % 60)" }

    static func config() -> String {
        let now = nowInUTC()
        let window = "\(clock(max(0, now.minute - 60)))-\(clock(min(23 * 60 + 59, now.minute + 60)))"
        let otherDay = (now.position + 2) % 7 + 1
        func pass(_ port: Int, _ extra: String) -> String {
            "<rule><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
                + "<source><network>lan</network></source><destination><any></any><port>\(port)</port></destination>\(extra)<descr>\(port)</descr></rule>"
        }
        return """
            <?xml version="1.0"?>
            <pfsense><version>23.3</version>
            <system><hostname>fw</hostname><timezone>Etc/UTC</timezone><webgui><protocol>https</protocol></webgui></system>
            <interfaces>
            <wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>WANGW</gateway></wan>
            <lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
            </interfaces>
            <gateways><gateway_item><interface>wan</interface><gateway>198.51.100.254</gateway><name>WANGW</name></gateway_item></gateways>
            <nat><outbound><mode>disabled</mode></outbound></nat>
            <schedules>
            <schedule><name>now</name><timerange><position>\(now.position)</position><hour>\(window)</hour></timerange></schedule>
            <schedule><name>other_day</name><timerange><position>\(otherDay)</position><hour>0:00-23:59</hour></timerange></schedule>
            </schedules>
            <filter>
            <rule><type>block</type><interface>wan</interface><floating>yes</floating><quick>yes</quick><direction>out</direction>
            <ipprotocol>inet</ipprotocol><tagged>NO_WAN_EGRESS</tagged><source><any></any></source><destination><any></any></destination>
            <descr>kill switch</descr></rule>
            \(pass(80, "<sched>now</sched>"))
            \(pass(81, "<sched>other_day</sched>"))
            \(pass(82, "<tag>NO_WAN_EGRESS</tag>"))
            \(pass(83, ""))
            </filter>
            </pfsense>
            """
    }

    @Test(.needsNetworkNamespaces) func tagsAndSchedulesDecideFlows() throws {
        let compiled = RulesetCompiler.compile(try ConfigDocument(text: Self.config()).config)
        #expect(compiled.leftOut.isEmpty, "\(compiled.leftOut)")
        let lab = try TrafficLab()
        defer { lab.stop() }
        // nft reads `meta hour` in its own time zone; the compiled values are UTC.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-lab-\(UUID()).nft").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try compiled.ruleset.render().write(toFile: path, atomically: true, encoding: .utf8)
        try lab.firewall.exec(["env", "TZ=UTC", "nft", "-f", path])
        for port: UInt16 in 80...83 { try lab.listen(in: lab.server, port: port) }
        for port: UInt16 in 80...83 { lab.waitForListener(in: lab.server, host: "198.51.100.254", port: port) }

        // The schedule whose window holds now passes; the one on another weekday does not.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 80) == .connected("192.0.2.100"))
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 81) == .timedOut)
        // The kill switch blocks the flow the LAN rule tagged, and only that one.
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 82) == .timedOut)
        #expect(lab.tcp(from: lab.client, to: "198.51.100.254", port: 83) == .connected("192.0.2.100"))
    }
}
