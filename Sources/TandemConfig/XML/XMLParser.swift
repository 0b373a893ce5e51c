import CLibXML2

/// Reads untrusted config.xml bytes into an `XMLDocument` through libxml2's SAX2 interface,
/// so no libxml2 tree outlives the call.
///
/// Safety (the file may come from a peer over XML-RPC): network access is forbidden
/// (`XML_PARSE_NONET`), entities are never substituted (no `XML_PARSE_NOENT`), no DTD is
/// loaded or validated, and any `<!DOCTYPE>` is refused before its internal subset is read,
/// so entity declarations (billion laughs, external `file://` entities) never reach the
/// parser. Input is limited to `maximumSize` bytes and libxml2's default depth limit stays.
/// Errors are collected through the context's own structured error handler (`sax->serror`,
/// libxml2 2.9 has no `xmlCtxtSetErrorHandler`), so no global state is touched.
public enum XMLParser {
    /// The largest file accepted: real configs are ≤ 1 MiB; 10,000 rules is ~4 MiB.
    public static let maximumSize = 16 * 1024 * 1024
    /// The most elements accepted. 16 MiB of `<a/>` is four million elements, each a Swift
    /// value with its children array: a cap keeps the tree's memory proportional to real
    /// configs (50,000 rules are ~500,000 elements, 11 MiB).
    public static let maximumElements = 1_000_000

    public static func parse(_ bytes: some Collection<UInt8>) throws(XMLParseError) -> XMLDocument {
        try parseWithSpans(bytes).document
    }

    /// With another size limit: an XML-RPC body carrying a large config section is several
    /// times the section's size in config.xml.
    /// The element cap grows in proportion (an XML-RPC body has several elements per
    /// config element).
    public static func parse(_ bytes: some Collection<UInt8>, maximumSize: Int) throws(XMLParseError) -> XMLDocument {
        try parseWithSpans(bytes, maximumSize: maximumSize).document
    }

    /// The document and the byte spans of its items (the elements two levels below the
    /// root), which an edit confined to one item is located by.
    public static func parseWithSpans(_ bytes: some Collection<UInt8>, maximumSize: Int = maximumSize,
                                      maximumElements: Int? = nil) throws(XMLParseError) -> (document: XMLDocument, spans: ItemSpans) {
        let input = Array(bytes)
        guard input.count <= maximumSize else {
            throw XMLParseError(position: nil, message: "file is \(input.count) bytes, more than the limit of \(maximumSize) bytes")
        }
        guard !input.isEmpty else {
            throw XMLParseError(position: SourcePosition(line: 1, column: 1), message: "file is empty")
        }
        try checkEncoding(input)
        let elements = maximumElements ?? max(Self.maximumElements, Self.maximumElements / Self.maximumSize * maximumSize)
        let builder = TreeBuilder(input: input, maximumElements: elements)
        return try builder.run()
    }

    public static func parse(_ text: String) throws(XMLParseError) -> XMLDocument {
        try parse(Array(text.utf8))
    }

    /// Positions are computed from byte offsets into the input, which only match what libxml2
    /// sees when it does not transcode: accept UTF-8 (and its ASCII subset) only, as pfSense
    /// writes it.
    static func checkEncoding(_ input: [UInt8]) throws(XMLParseError) {
        if input.starts(with: [0xFF, 0xFE]) || input.starts(with: [0xFE, 0xFF]) {
            throw XMLParseError(position: SourcePosition(line: 1, column: 1), message: "UTF-16 input is not supported; config.xml must be UTF-8")
        }
        guard input.starts(with: Array("<?xml".utf8)) else { return }
        // Bytes, not Foundation's `range(of:)`, which bridges through NSString.
        let head = Array(input.prefix(200))
        func find(_ needle: String, in bytes: ArraySlice<UInt8>) -> Int? {
            let n = Array(needle.utf8)
            guard bytes.count >= n.count else { return nil }
            for i in bytes.startIndex...(bytes.endIndex - n.count) where bytes[i..<(i + n.count)].elementsEqual(n) { return i }
            return nil
        }
        guard let end = find("?>", in: head[...]) else { return }
        let decl = head[..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        guard let enc = find("encoding", in: decl[...]) else { return }
        let rest = decl[(enc + 8)...].drop { $0 == 0x20 || $0 == 0x3D || $0 == 0x22 || $0 == 0x27 }
        let name = String(decoding: rest.prefix { $0 != 0x22 && $0 != 0x27 && $0 != 0x20 }, as: UTF8.self)
        guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(name) else {
            throw XMLParseError(position: SourcePosition(line: 1, column: 1), message: "encoding '\(name)' is not supported; config.xml must be UTF-8")
        }
    }
}

/// The per-parse context the SAX callbacks reach through `ctxt->_private`: the input, the
/// libxml2 context, errors, and the tree under construction.
///
/// The tree is one struct property changed by one mutating call per event: every access to
/// a class's stored property is checked for exclusivity at run time, and a 50k-rule file
/// has over a million events (issue #3).
final class TreeBuilder {
    let input: [UInt8]
    private var tree: TreeState
    private(set) var errors: [XMLParseError] = []
    private var ctxt: xmlParserCtxtPtr?
    private var elementCount = 0
    private let maximumElements: Int

    init(input: [UInt8], maximumElements: Int = XMLParser.maximumElements) {
        self.input = input
        self.maximumElements = maximumElements
        self.tree = TreeState(input: input)
    }

    func run() throws(XMLParseError) -> (document: XMLDocument, spans: ItemSpans) {
        guard let ctxt = xmlNewParserCtxt() else {
            throw XMLParseError(position: nil, message: "libxml2 could not allocate a parser context")
        }
        self.ctxt = ctxt
        defer {
            if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc) }
            ctxt.pointee.myDoc = nil
            ctxt.pointee._private = nil
            xmlFreeParserCtxt(ctxt)
            self.ctxt = nil
        }
        installHandlers(ctxt)
        let unmanaged = Unmanaged.passUnretained(self)
        ctxt.pointee._private = unmanaged.toOpaque()
        let options = Int32(XML_PARSE_NONET.rawValue)
        let doc = input.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { chars in
                xmlCtxtReadMemory(ctxt, chars.baseAddress, Int32(chars.count), "config.xml", nil, options)
            }
        }
        // The SAX handlers build the Swift tree; whatever libxml2 built (an empty document
        // from startDocument) is freed here, at once.
        if let doc { xmlFreeDoc(doc) }
        if ctxt.pointee.myDoc == doc { ctxt.pointee.myDoc = nil }
        if let first = errors.first { throw first }
        guard let root = tree.root, tree.isComplete else {
            throw XMLParseError(position: tree.endPosition(), message: "no root element")
        }
        return (XMLDocument(declaration: declaration(), prolog: tree.prolog, root: root, epilog: tree.epilog), tree.spans)
    }

    /// The XML declaration exactly as written.
    private func declaration() -> String? {
        var start = 0
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        guard input[start...].starts(with: Array("<?xml".utf8)), input.count > start + 5,
              input[start + 5] == 0x20 || input[start + 5] == 0x09 || input[start + 5] == 0x0A || input[start + 5] == 0x0D
        else { return nil }
        var i = start
        while i + 1 < input.count {
            if input[i] == UInt8(ascii: "?"), input[i + 1] == UInt8(ascii: ">") {
                return String(decoding: input[start...(i + 1)], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    /// Byte offset of the parser's cursor in `input`.
    private var offset: Int {
        guard let ctxt, let inp = ctxt.pointee.input, let base = inp.pointee.base, let cur = inp.pointee.cur else {
            return 0
        }
        return Int(inp.pointee.consumed) + (cur - base)
    }

    func fail(_ message: String) {
        let position = tree.position(ofTagBefore: offset)
        errors.append(XMLParseError(position: position, message: message))
        if let ctxt { xmlStopParser(ctxt) }
    }

    func libxmlError(line: Int, column: Int, message: String) {
        // libxml2 reports a cascade after the first fatal error; the first is the cause.
        errors.append(XMLParseError(position: SourcePosition(line: max(line, 1), column: max(column, 1)), message: message))
    }

    // MARK: events

    func startElement(name: String, attributes: [XMLAttribute]) {
        elementCount += 1
        guard elementCount <= maximumElements else {
            if elementCount == maximumElements + 1 {
                fail("more than \(maximumElements) elements; the file may hold at most \(maximumElements)")
            }
            return
        }
        tree.startElement(name: name, attributes: attributes, tagEnd: offset)
    }

    func endElement() {
        guard elementCount <= maximumElements else { return }
        tree.endElement(end: offset)
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) { tree.characters(bytes) }

    func cdata(_ bytes: UnsafeBufferPointer<UInt8>) {
        tree.append(.cdata(String(decoding: bytes, as: UTF8.self)))
    }

    func comment(_ text: String) { tree.append(.comment(text)) }

    func processingInstruction(target: String, data: String) {
        tree.append(.processingInstruction(target: target, data: data))
    }
}
