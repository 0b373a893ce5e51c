import Testing
@testable import TandemConfig

@Suite struct XMLWriterTests {
    /// An unedited document is written back byte for byte: layout, comments, CDATA,
    /// self-closing and empty elements, attributes, prolog.
    @Test(arguments: [
        "<?xml version=\"1.0\"?>\n<!-- c -->\n<pfsense>\n\t<a></a>\n  <b/>\n\t<c x=\"1\" y=\"&quot;\">t &amp; &lt;u&gt;</c>\n\t<d><![CDATA[x]]></d>\n</pfsense>\n",
        "<pfsense>\n\t<version>18.9</version>\n\t<hasync version=\"1.0.2\"><pfsyncenabled>1</pfsyncenabled></hasync>\n</pfsense>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opnsense>\n  <x>é ü</x>\n  <?pi data?>\n</opnsense>\n",
    ])
    func unchangedDocumentsRoundTripExactly(_ text: String) throws {
        #expect(XMLWriter.write(try XMLParser.parse(text)) == text)
    }

    @Test func cdataContainingTheTerminatorIsSplit() throws {
        let e = XMLElement(name: "descr", children: [.cdata("a]]>b")])
        let written = XMLWriter.write(e)
        #expect(written == "<descr><![CDATA[a]]]]><![CDATA[>b]]></descr>")
        let back = try XMLParser.parse(written)
        #expect(back.root.text == "a]]>b")
    }

    @Test func writtenModelParsesToTheSameModel() throws {
        let text = try String(contentsOfFile: examplePath("primaryfw.xml"), encoding: .utf8)
        let doc = try ConfigDocument(text: text)
        let again = try ConfigDocument(text: doc.serialized())
        #expect(again.config == doc.config)
        #expect(again.xml == doc.xml)
    }
}
