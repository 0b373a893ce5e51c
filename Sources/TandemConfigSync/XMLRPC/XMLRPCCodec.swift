import TandemConfig

/// XML-RPC bodies ↔ values (https://xmlrpc.com/spec.md).
///
/// Bodies come from the network, so they are read with the same libxml2 settings as an
/// untrusted config.xml (`XMLParser`: no DTD, any `<!DOCTYPE>` refused, no entity
/// substitution, no network, UTF-8 only, a size limit), and values may nest at most
/// `maximumDepth` deep, far below where recursion could exhaust a stack.
public enum XMLRPCCodec {
    /// Values nested deeper than this are refused. A pfSense config section nests about
    /// eight elements deep (`installedpackages/…/config/row`), one XML-RPC level each.
    public static let maximumDepth = 32
    /// The largest body read by default: config.xml's own limit.
    public static let maximumSize = XMLParser.maximumSize

    public static func decodeCall(_ bytes: [UInt8], maximumSize: Int = maximumSize) throws(XMLRPCError) -> XMLRPCCall {
        let root = try parse(bytes, expecting: "methodCall", maximumSize: maximumSize)
        var reader = ValueReader()
        return try reader.call(root)
    }

    public static func decodeResponse(_ bytes: [UInt8], maximumSize: Int = maximumSize) throws(XMLRPCError) -> XMLRPCResponse {
        let root = try parse(bytes, expecting: "methodResponse", maximumSize: maximumSize)
        var reader = ValueReader()
        return try reader.response(root)
    }

    public static func encodeCall(_ call: XMLRPCCall) -> [UInt8] {
        var out = ValueWriter()
        out.call(call)
        return Array(out.text.utf8)
    }

    public static func encodeResponse(_ response: XMLRPCResponse) -> [UInt8] {
        var out = ValueWriter()
        out.response(response)
        return Array(out.text.utf8)
    }

    static func parse(_ bytes: [UInt8], expecting rootName: String, maximumSize: Int) throws(XMLRPCError) -> XMLElement {
        guard bytes.count <= maximumSize else {
            throw XMLRPCError(message: "body is \(bytes.count) bytes, more than the limit of \(maximumSize) bytes")
        }
        let document: XMLDocument
        do {
            document = try XMLParser.parse(bytes, maximumSize: maximumSize)
        } catch {
            throw XMLRPCError(position: error.position, message: "not well-formed XML: \(error.message)")
        }
        guard document.root.name == rootName else {
            throw XMLRPCError(position: document.root.position, path: document.root.name,
                              message: "expected <\(rootName)> as the root element")
        }
        return document.root
    }
}
