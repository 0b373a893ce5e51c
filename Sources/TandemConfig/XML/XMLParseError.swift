/// Why a file could not be read as XML, with the position libxml2 (or the safety checks in
/// front of it) reported.
public struct XMLParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var position: SourcePosition?
    public var message: String

    public init(position: SourcePosition?, message: String) {
        self.position = position
        self.message = message
    }

    /// `FILE:LINE:COL: message`.
    public func formatted(file: String) -> String {
        if let position { return "\(file):\(position.line):\(position.column): \(message)" }
        return "\(file): \(message)"
    }

    public var description: String { formatted(file: "config.xml") }

    /// As a config diagnostic (file-level: no element path).
    public var diagnostic: ConfigDiagnostic {
        ConfigDiagnostic(.error, path: "", position: position, message: message)
    }
}
