import Foundation
import Testing
@testable import TandemConfig

@Suite struct XMLParserTests {
    @Test func readsElementsTextCDATACommentsAndPositions() throws {
        let text = "<?xml version=\"1.0\"?>\n<!-- head -->\n<pfsense>\n\t<a x=\"1\">t&amp;u</a>\n\t<b><![CDATA[<c>]]></b>\n\t<e/>\n</pfsense>\n"
        let doc = try XMLParser.parse(text)
        #expect(doc.declaration == "<?xml version=\"1.0\"?>")
        #expect(doc.prolog == [.comment(" head ")])
        #expect(doc.root.name == "pfsense")
        #expect(doc.root.position == SourcePosition(line: 3, column: 1))
        let a = try #require(doc.root.child("a"))
        #expect(a.position == SourcePosition(line: 4, column: 2))
        #expect(a.attribute("x") == "1")
        #expect(a.text == "t&u")
        #expect(doc.root.child("b")?.children == [.cdata("<c>")])
        #expect(doc.root.child("e")?.selfClosing == true)
    }

    /// Leaves with the same text share storage after parsing; an edit to one changes only
    /// that one, and the file is written back as read.
    @Test func equalLeavesStayIndependentValues() throws {
        let text = "<pfsense>\n<a>lan</a><b>lan</b><c>lan<d>x</d></c><e>lan</e>\n</pfsense>\n"
        var doc = try XMLParser.parse(text)
        #expect(XMLWriter.write(doc) == text)
        doc.root.setValue("wan", at: "b")
        doc.root.setValue("opt1", at: "c/d")
        #expect(doc.root.elements.map(\.text) == ["lan", "wan", "lan", "lan"])
        #expect(doc.root.child("c")?.children.count == 2)
        #expect(XMLWriter.write(doc) == "<pfsense>\n<a>lan</a><b>wan</b><c>lan<d>opt1</d></c><e>lan</e>\n</pfsense>\n")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let doc = try XMLParser.parse("<pfsense><d>é</d><f/></pfsense>")
        #expect(doc.root.child("f")?.position == SourcePosition(line: 1, column: 18))
    }

    /// The classic billion-laughs document: refused at its DOCTYPE, before any entity exists.
    @Test func refusesBillionLaughs() throws {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        for i in 1...9 {
            let prev = i == 1 ? "lol" : "lol\(i - 1)"
            text += "<!ENTITY lol\(i) \"" + String(repeating: "&\(prev);", count: 10) + "\">\n"
        }
        text += "]>\n<pfsense><x>&lol9;</x></pfsense>\n"
        let error = try #require(throws: XMLParseError.self) { try XMLParser.parse(text) }
        #expect(error.message.contains("DOCTYPE"))
        #expect(error.position?.line == 2)
    }

    @Test func refusesExternalEntity() throws {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE pfsense [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<pfsense><hostname>&xxe;</hostname></pfsense>\n"
        let error = try #require(throws: XMLParseError.self) { try XMLParser.parse(text) }
        #expect(error.message.contains("DOCTYPE"))
        #expect(!error.message.contains("root:"))
    }

    @Test func refusesExternalDTD() throws {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE pfsense SYSTEM \"http://192.0.2.1/x.dtd\">\n<pfsense/>\n"
        #expect(throws: XMLParseError.self) { try XMLParser.parse(text) }
    }

    @Test func undeclaredEntityIsAnError() throws {
        let error = try #require(throws: XMLParseError.self) { try XMLParser.parse("<pfsense>\n<a>&foo;</a></pfsense>") }
        #expect(error.position?.line == 2)
        #expect(error.message.contains("foo"))
    }

    @Test func truncatedFileIsAnErrorWithAPosition() throws {
        let text = try String(contentsOf: URL(fileURLWithPath: examplePath("primaryfw.xml")), encoding: .utf8)
        for cut in [10, text.utf8.count / 3, text.utf8.count / 2, text.utf8.count - 3] {
            let bytes = Array(text.utf8.prefix(cut))
            let error = try #require(throws: XMLParseError.self) { try XMLParser.parse(bytes) }
            #expect(error.position != nil, "cut at \(cut)")
        }
    }

    @Test(arguments: [
        [UInt8](repeating: 0, count: 64),
        [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0xFF, 0xFE, 0x00, 0x3C],
        Array("<pfsense>\u{0}</pfsense>".utf8),
        [0x3C, 0x70, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x70, 0x3E],
    ])
    func binaryInputIsAnError(_ bytes: [UInt8]) throws {
        let error = try #require(throws: XMLParseError.self) { try XMLParser.parse(bytes) }
        #expect(error.position != nil)
    }

    @Test func emptyAndOversizedInputsAreRefused() throws {
        #expect(throws: XMLParseError.self) { try XMLParser.parse([UInt8]()) }
        let big = [UInt8](repeating: 0x20, count: XMLParser.maximumSize + 1)
        let error = try #require(throws: XMLParseError.self) { try XMLParser.parse(big) }
        #expect(error.message.contains("limit"))
    }

    /// A file within the size limit but made of tiny elements: refused at the element past
    /// the cap, with its position (the cap lowered to 1,000 to keep the test fast).
    @Test func moreElementsThanTheCapAreRefused() throws {
        var bytes = Array("<pfsense>\n".utf8)
        for _ in 0..<1000 { bytes += [0x3C, 0x61, 0x2F, 0x3E] }  // <a/>
        bytes += Array("\n</pfsense>\n".utf8)
        let error = try #require(throws: XMLParseError.self) { try XMLParser.parseWithSpans(bytes, maximumElements: 1000) }
        #expect(error.description == "config.xml:2:3997: more than 1000 elements; the file may hold at most 1000")
        #expect(throws: Never.self) { try XMLParser.parseWithSpans(bytes, maximumElements: 1001) }
        #expect(XMLParser.maximumElements == 1_000_000)
    }

    @Test func refusesNonUTF8Encodings() throws {
        #expect(throws: XMLParseError.self) { try XMLParser.parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><pfsense/>") }
        #expect(throws: XMLParseError.self) { try XMLParser.parse([0xFF, 0xFE, 0x3C, 0x00]) }
        #expect(throws: Never.self) { try XMLParser.parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?><pfsense/>") }
    }

    @Test func wrongRootIsAnError() throws {
        let error = try #require(throws: XMLParseError.self) { try Config(xml: "<config><a/></config>") }
        #expect(error.message == "root element is <config>, expected <pfsense> or <opnsense>")
    }

    /// Parsing is re-entrant: no global handler state is shared between threads.
    @Test func parsesConcurrently() async throws {
        let good = document("<filter><rule><interface>lan</interface></rule></filter>")
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    if i % 2 == 0 { return (try? XMLParser.parse(good)) != nil }
                    return (try? XMLParser.parse("<pfsense><a></pfsense>")) == nil
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}

/// Path of a file in the package's `etc/examples`.
func examplePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/examples/" + name).path
}
