import Testing
import TandemConfig
import TandemConfigSync

@Suite struct SectionFormTests {
    /// The tree without what pfSense's array form does not keep: layout, comments, the
    /// text/CDATA distinction, and the interleaving of differently named siblings.
    static func normalized(_ element: XMLElement) -> XMLElement {
        var copy = XMLElement(name: element.name, attributes: element.attributes)
        guard element.hasElementChildren else {
            let text = element.text
            let layout = !element.children.contains { if case .cdata = $0 { true } else { false } }
                && text.contains(where: \.isNewline) && text.allSatisfy(\.isWhitespace)
            copy.children = text.isEmpty || layout ? [] : [.text(text)]
            return copy
        }
        var order: [String] = []
        var groups: [String: [XMLElement]] = [:]
        for case .element(let child) in element.children {
            if groups[child.name] == nil { order.append(child.name) }
            groups[child.name, default: []].append(normalized(child))
        }
        copy.children = order.flatMap { groups[$0]!.map(XMLNode.element) }
        return copy
    }

    @Test func listTagsAreArraysEvenWhenSingle() throws {
        let doc = try XMLParser.parse("""
            <filter>
            \t<rule><type>pass</type><interface>lan</interface><source><any></any></source><descr><![CDATA[LAN to any]]></descr></rule>
            \t<separator><lan></lan></separator>
            </filter>
            """)
        let value = SectionForm.value(of: doc.root)
        #expect(value == .structure([
            ("rule", .array([.structure([("type", .string("pass")), ("interface", .string("lan")),
                                         ("source", .structure([("any", .string(""))])), ("descr", .string("LAN to any"))])])),
            ("separator", .structure([("lan", .string(""))])),
        ]))
        let back = try #require(try SectionForm.element(named: "filter", from: value))
        #expect(Self.normalized(back) == Self.normalized(doc.root))
    }

    @Test func repeatedNonListTagsBecomeArrays() throws {
        let doc = try XMLParser.parse("<system><dnsserver>192.0.2.53</dnsserver><dnsserver>198.51.100.53</dnsserver><hostname>fw</hostname></system>")
        let value = SectionForm.value(of: doc.root)
        #expect(value[member: "dnsserver"] == .array([.string("192.0.2.53"), .string("198.51.100.53")]))
        #expect(value[member: "hostname"] == .string("fw"))
    }

    @Test func emptySectionIsEmptyString() throws {
        let doc = try XMLParser.parse("<aliases>\n\t</aliases>")
        #expect(SectionForm.value(of: doc.root) == .string(""))
        let back = try #require(try SectionForm.element(named: "aliases", from: .string("")))
        #expect(back.children.isEmpty)
    }

    @Test func attributesTravelAsOPNsenseDoes() throws {
        let doc = try XMLParser.parse(#"<Filter version="1.0.4"><rules><rule uuid="a-b"><enabled>1</enabled></rule></rules><leaf kind="x">t</leaf></Filter>"#)
        let value = SectionForm.value(of: doc.root)
        #expect(value[member: "@attributes"] == .structure([("version", .string("1.0.4"))]))
        #expect(value[member: "leaf"] == .structure([("@attributes", .structure([("kind", .string("x"))])), ("@value", .string("t"))]))
        let back = try #require(try SectionForm.element(named: "Filter", from: value))
        #expect(Self.normalized(back) == Self.normalized(doc.root))
    }

    /// PHP values that XML_RPC2 sends which config.xml never holds, written as
    /// `dump_xml_config_sub()` writes them.
    @Test func phpScalarsAsPfSenseWritesThem() throws {
        let value = XMLRPCValue.structure([("n", .int(7)), ("on", .boolean(true)), ("off", .boolean(false)), ("none", .nil),
                                           ("f", .double(2))])
        let element = try #require(try SectionForm.element(named: "x", from: value))
        #expect(XMLWriter.write(element) == "<x><n>7</n><on></on><none></none><f>2</f></x>")
    }

    @Test(arguments: [
        (XMLRPCValue.structure([("a b", .string(""))]), "x/a b: 'a b' cannot be an XML element name"),
        (.structure([("rule", .array([.array([])]))]), "x/rule[1]: an array inside an array"),
        (.array([]), "x: an array must be a struct member"),
    ])
    func refusesValuesWithoutXMLForm(_ value: XMLRPCValue, _ expected: String) {
        #expect(throws: SectionFormError.self) { try SectionForm.element(named: "x", from: value) }
        do { _ = try SectionForm.element(named: "x", from: value) } catch { #expect(error.description.hasPrefix(expected)) }
    }

    /// Every top-level section of every corpus file survives value → XML → value, and the
    /// config read from the document with every section replaced by its round trip equals
    /// the original.
    @Test(arguments: Corpus.files)
    func corpusSectionsRoundTrip(_ name: String) throws {
        let doc = try Corpus.document(name)
        var root = doc.xml.root
        for i in root.children.indices {
            guard case .element(let section) = root.children[i] else { continue }
            let value = SectionForm.value(of: section)
            let back = try #require(try SectionForm.element(named: section.name, from: value), "\(name): \(section.name)")
            #expect(Self.normalized(back) == Self.normalized(section), "\(name): \(section.name)")
            #expect(SectionForm.value(of: back) == value, "\(name): \(section.name)")
            // Through the wire as well.
            let wire = try XMLRPCCodec.decodeCall(XMLRPCCodec.encodeCall(XMLRPCCall(methodName: "a", params: [value])))
            #expect(wire.params == [value], "\(name): \(section.name)")
            root.children[i] = .element(back)
        }
        var xml = doc.xml
        xml.root = root
        let rebuilt = try ConfigDocument(text: XMLWriter.write(xml))
        #expect(rebuilt.config == doc.config, "\(name)")
    }
}
