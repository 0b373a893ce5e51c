import TandemConfig

/// Why an XML-RPC body could not be read: where (line:column and element path, e.g.
/// `methodCall/params/param[2]/value/struct/member[3]`) and what was expected there.
public struct XMLRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var position: SourcePosition?
    /// Element path from the document's root; empty for a whole-body problem (size, not XML).
    public var path: String
    public var message: String

    public init(position: SourcePosition? = nil, path: String = "", message: String) {
        self.position = position
        self.path = path
        self.message = message
    }

    /// `LINE:COL: PATH: message`, the parts that are known.
    public var description: String {
        var parts: [String] = []
        if let position { parts.append(position.description) }
        if !path.isEmpty { parts.append(path) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
