import Testing
@testable import TandemConfig

/// Every boolean spelling real files use (pfsense-config.md §1, §13).
@Suite struct ItemReaderTests {
    @Test(arguments: [("lan", "lan"), ("  lan \n", "lan"), ("\t\r\n", ""), ("", ""), ("é wan é ", "é wan é"),
                      (" a b ", "a b")])
    func trimmedDropsXMLWhitespaceAtBothEnds(_ text: String, _ expected: String) {
        #expect(text.trimmed == expected)
    }

    @Test(arguments: [
        ("<log></log>", true), ("<log/>", true), ("<log>1</log>", true), ("<log>on</log>", true),
        ("<log>yes</log>", true), ("<log> </log>", true), ("<log>0</log>", false), ("", false),
    ])
    func flagSpellings(_ xml: String, _ expected: Bool) throws {
        let config = try parse("<filter><rule><interface>lan</interface>\(xml)</rule></filter>")
        #expect(config.filterRules[0].log == expected)
    }

    @Test(arguments: [("<floating>yes</floating><quick>yes</quick>", true), ("<floating>1</floating><quick>1</quick>", true),
                      ("<floating>0</floating><quick>0</quick>", false)])
    func floatingAndQuick(_ xml: String, _ expected: Bool) throws {
        let rule = try parse("<filter><rule><interface>lan</interface>\(xml)</rule></filter>").filterRules[0]
        #expect(rule.floating == expected)
        #expect(rule.quick == expected)
    }

    @Test func cdataAndPlainTextReadTheSame() throws {
        let a = try parse("<filter><rule><interface>lan</interface><descr><![CDATA[x & y]]></descr></rule></filter>")
        let b = try parse("<filter><rule><interface>lan</interface><descr>x &amp; y</descr></rule></filter>")
        #expect(a.filterRules[0].descr == "x & y")
        #expect(a.filterRules[0].descr == b.filterRules[0].descr)
    }

    @Test func fieldPositionsAndPaths() throws {
        let text = document("<filter>\n<rule>\n<interface>lan</interface>\n</rule>\n<rule>\n<interface>lan</interface>\n<source>\n  <address>lan_netz</address>\n</source>\n</rule>\n</filter>")
        let config = try Config(xml: text)
        let l = config.filterRules[1].location
        #expect(l.path == "filter/rule[2]")
        #expect(l.path(of: "source/address") == "filter/rule[2]/source/address")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("lan_netz") }! + 1
        #expect(l.position(of: "source/address") == SourcePosition(line: line, column: 3))
        // A missing field falls back to its nearest existing parent.
        #expect(l.position(of: "source/port") == l.position(of: "source"))
    }

    /// A repeated field reads its first occurrence, at the rule and inside an endpoint.
    @Test func firstOccurrenceWins() throws {
        let rule = try parse("""
            <filter><rule><interface>lan</interface><interface>wan</interface>\
            <source><address>192.0.2.1</address><address>192.0.2.2</address><not/></source>\
            <destination><network>lan</network><port>22</port><port>23</port></destination></rule></filter>
            """).filterRules[0]
        #expect(rule.interfaces == ["lan"])
        #expect(rule.source.address.description == "192.0.2.1")
        #expect(rule.source.negated)
        #expect(rule.destination.port == .port(22))
    }

    @Test(arguments: [("lan", ["lan"]), ("lan,wan", ["lan", "wan"]), (" lan , wan ,", ["lan", "wan"]),
                      ("", []), (",", [])])
    func interfaceLists(_ text: String, _ expected: [String]) throws {
        let rule = try parse("<filter><rule><floating>yes</floating><interface>\(text)</interface></rule></filter>").filterRules[0]
        #expect(rule.interfaces == expected)
    }

    /// Alias address lists split on spaces, tabs and newlines; `\r\n` is one character (not
    /// split) and non-ASCII text takes the character-wise path, with the same result.
    @Test(arguments: [
        ("192.0.2.1  192.0.2.2\t192.0.2.3\n192.0.2.4 ", ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]),
        // XML end-of-line handling reads a written CR LF as LF; a CR kept as `&#13;` is not.
        ("192.0.2.1\r\n192.0.2.2", ["192.0.2.1", "192.0.2.2"]),
        ("192.0.2.1&#13;\n192.0.2.2", ["192.0.2.1\r\n192.0.2.2"]),
        ("hôst.example.org 192.0.2.1", ["hôst.example.org", "192.0.2.1"]),
        ("192.0.2.1", ["192.0.2.1"]),
    ])
    func aliasAddressWords(_ text: String, _ expected: [String]) throws {
        let config = try parse("<aliases><alias><name>a</name><type>host</type><address>\(text)</address></alias></aliases>")
        #expect(config.aliases[0].entries.map(\.description) == expected)
    }

    /// Fixed-vocabulary words are read case-insensitively.
    @Test(arguments: [("pass", FilterRule.Action.pass), ("PASS", .pass), ("Block", .block), ("reject", .reject)])
    func wordsIgnoreCase(_ text: String, _ expected: FilterRule.Action) throws {
        let rule = try parse("<filter><rule><interface>lan</interface><type>\(text)</type><statetype>Sloppy State</statetype></rule></filter>").filterRules[0]
        #expect(rule.action == expected)
        #expect(rule.stateType == .sloppyState)
    }

    @Test func indexedFieldPositions() throws {
        let text = document("<dhcpd>\n<lan>\n<dnsserver>192.0.2.1</dnsserver>\n  <dnsserver>192.0.2.53</dnsserver>\n</lan>\n</dhcpd>")
        let l = try Config(xml: text).dhcpd[0].location
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("192.0.2.53") }! + 1
        #expect(l.position(of: "dnsserver[2]") == SourcePosition(line: line, column: 3))
        #expect(l.has("dnsserver[2]"))
        #expect(!l.has("dnsserver[3]"))
        #expect(l.has("dnsserver"))
        #expect(!l.has("dnsserver/x"))
    }

    @Test func repeatedElementsAreLists() throws {
        let one = try parse("<dhcpd><lan><dnsserver>192.0.2.1</dnsserver></lan></dhcpd>")
        let two = try parse("<dhcpd><lan><dnsserver>192.0.2.1</dnsserver><dnsserver>192.0.2.53</dnsserver></lan></dhcpd>")
        #expect(one.dhcpd[0].dnsServers.map(\.description) == ["192.0.2.1"])
        #expect(two.dhcpd[0].dnsServers.map(\.description) == ["192.0.2.1", "192.0.2.53"])
    }

    @Test func untypeableValuesBecomeIssues() throws {
        let config = try parse("<filter><rule><interface>lan</interface><destination><port>70000</port></destination></rule></filter>")
        #expect(config.filterRules[0].destination.port == nil)
        #expect(config.issues.map(\.description) == [
            "config.xml:9:54: filter/rule[1]/destination/port: '70000' is not a port, a port range or a port alias",
        ])
    }
}
