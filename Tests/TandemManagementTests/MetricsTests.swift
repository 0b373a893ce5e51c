import Testing
import TandemAddress
import TandemConfig
@testable import TandemManagement

/// Who may scrape `/metrics`, the exposition format, and `<tandem><metrics>` read with
/// positioned errors.
@Suite struct MetricsTests {
    static let lan = [IPNetwork("192.0.2.0/24")!]
    static let token = "0123456789abcdef-token"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var settings: MetricsSettings
        var caller: String?
        var header: String?
        var expected: MetricsAccess.Decision
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "default: LAN allowed", settings: MetricsSettings(), caller: "192.0.2.100", header: nil, expected: .allowed),
        Case(name: "default: WAN refused", settings: MetricsSettings(), caller: "198.51.100.254", header: nil,
             expected: .forbiddenNetwork),
        Case(name: "default: unknown caller refused", settings: MetricsSettings(), caller: nil, header: nil,
             expected: .forbiddenNetwork),
        Case(name: "allow replaces the LAN", settings: MetricsSettings(allow: [IPNetwork("203.0.113.0/30")!]),
             caller: "192.0.2.100", header: nil, expected: .forbiddenNetwork),
        Case(name: "allow admits its network", settings: MetricsSettings(allow: [IPNetwork("203.0.113.0/30")!]),
             caller: "203.0.113.2", header: nil, expected: .allowed),
        Case(name: "token only: any address with it", settings: MetricsSettings(token: token),
             caller: "198.51.100.254", header: "Bearer \(token)", expected: .allowed),
        Case(name: "token only: LAN without it refused", settings: MetricsSettings(token: token),
             caller: "192.0.2.100", header: nil, expected: .needsToken),
        Case(name: "token: wrong one", settings: MetricsSettings(token: token), caller: "192.0.2.100",
             header: "Bearer \(token)x", expected: .needsToken),
        Case(name: "token: Basic is not Bearer", settings: MetricsSettings(token: token), caller: "192.0.2.100",
             header: "Basic \(token)", expected: .needsToken),
        Case(name: "token and allow: both needed", settings: MetricsSettings(allow: lan, token: token),
             caller: "198.51.100.254", header: "Bearer \(token)", expected: .forbiddenNetwork),
        Case(name: "token and allow: both given", settings: MetricsSettings(allow: lan, token: token),
             caller: "192.0.2.9", header: "bearer \(token)", expected: .allowed),
        Case(name: "disabled", settings: MetricsSettings(disabled: true), caller: "192.0.2.100", header: nil,
             expected: .disabled),
    ])
    func access(_ c: Case) {
        #expect(MetricsAccess.decide(settings: c.settings, lan: Self.lan, caller: c.caller.flatMap(IPAddress.init),
                                     authorization: c.header) == c.expected)
    }

    @Test func textFormatEscapesAndFormats() {
        var m = MetricsText()
        m.family("x_total", .counter, "A help\nline with \\.")
        m.sample("x_total", [("description", "say \"hi\"\n\\")], 3)
        m.sample("x_total", [], 0.25)
        m.family("x_total", .counter, "declared once")
        #expect(m.text == """
            # HELP x_total A help\\nline with \\\\.
            # TYPE x_total counter
            x_total{description="say \\"hi\\"\\n\\\\"} 3
            x_total 0.25

            """)
    }

    @Test func nodeMetricsCarryStateTransitionsAndLogins() {
        var s = DashboardSnapshot(hostname: "secondaryfw", role: "receives")
        s.carp = [.init(interface: "lan0", vhid: 1, address: "192.0.2.1/24", state: "MASTER", advbase: 1, advskew: 100,
                        advertisedSkew: 100, lastTransition: nil, lastReason: nil)]
        s.carpTransitions = [.init(["vhid": "1", "interface": "lan0", "state": "MASTER", "reason": "master timed out"], 1)]
        s.configSync.pushes = ["pushed": 3, "failed": 1]
        let text = NodeMetrics.render(s, logins: LoginStatus(granted: 2, failed: 5))
        #expect(text.contains("tandem_carp_state{interface=\"lan0\",vhid=\"1\",state=\"MASTER\"} 1\n"))
        #expect(text.contains("tandem_carp_state{interface=\"lan0\",vhid=\"1\",state=\"BACKUP\"} 0\n"))
        #expect(text.contains("tandem_carp_transitions_total{interface=\"lan0\",reason=\"master timed out\",state=\"MASTER\",vhid=\"1\"} 1\n"))
        #expect(text.contains("tandem_config_push_total{result=\"failed\"} 1\n"))
        #expect(text.contains("tandem_login_failures_total 5\n"))
        // Every family is declared once, before its samples.
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(Set(types).count == types.count)
    }

    static func settings(_ section: String) throws -> (MetricsSettings, [String]) {
        let xml = """
            <?xml version="1.0"?>
            <pfsense>
            <tandem>
            \(section)
            </tandem>
            </pfsense>
            """
        let document = try ConfigDocument(text: xml)
        return (document.config.metrics, document.config.issues.map { $0.formatted(file: "config.xml") })
    }

    @Test func sectionIsRead() throws {
        let (m, issues) = try Self.settings(
            "<metrics><allow>192.0.2.0/24</allow><allow>2001:db8::1/64</allow><token>\(Self.token)</token></metrics>")
        #expect(issues.isEmpty)
        #expect(m.allow == [IPNetwork("192.0.2.0/24")!, IPNetwork("2001:db8::/64")!])
        #expect(m.token == Self.token)
        #expect(!m.disabled)
        #expect(try Self.settings("<metrics><disable/></metrics>").0.disabled)
        #expect(try Self.settings("").0 == MetricsSettings())
    }

    @Test func badValuesArePositioned() throws {
        let (_, issues) = try Self.settings("<metrics>\n<allow>192.0.2.0/24</allow>\n<allow>lan_net</allow>\n<token>short</token></metrics>")
        #expect(issues == [
            "config.xml:6:1: tandem/metrics/allow[2]: 'lan_net' is not an address or a network (expected e.g. 192.0.2.0/24)",
            "config.xml:7:1: tandem/metrics/token: expected at least 16 characters of A-Z a-z 0-9 - . _ ~ + / = (a bearer token, RFC 6750 §2.1)",
        ])
    }
}
