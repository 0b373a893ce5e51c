/// A config file as loaded: the lossless XML tree and the typed view extracted from it.
/// Edits (sync merges, the maintenance flag) change the tree and re-extract, so the typed
/// view never drifts from what will be written.
public struct ConfigDocument: Sendable {
    public private(set) var xml: XMLDocument
    public private(set) var config: Config
    /// Where each item was in the bytes it was parsed from; nil once edited (or when made
    /// from a tree).
    public private(set) var spans: ItemSpans?

    public init(xml: XMLDocument) throws(XMLParseError) {
        self.xml = xml
        self.config = try Config(document: xml)
    }

    /// Parses config.xml bytes (untrusted: see `XMLParser`).
    public init(bytes: some Collection<UInt8>) throws(XMLParseError) {
        let (xml, spans) = try XMLParser.parseWithSpans(bytes)
        try self.init(xml: xml)
        self.spans = spans
    }

    public init(text: String) throws(XMLParseError) {
        try self.init(bytes: Array(text.utf8))
    }

    /// The file's text: byte for byte what was read, plus any edits.
    public func serialized() -> String { XMLWriter.write(xml) }

    /// Changes the tree and re-extracts the typed view. The root's name cannot change.
    public mutating func edit(_ body: (inout XMLElement) throws -> Void) rethrows {
        let name = xml.root.name
        try body(&xml.root)
        xml.root.name = name
        spans = nil
        // The root name is unchanged, so extraction cannot fail.
        config = (try? Config(document: xml)) ?? config
    }
}
