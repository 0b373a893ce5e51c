/// One problem found in a config file: an error (the file is rejected) or a warning (a
/// feature Tandem reads but does not apply yet). Printed as
/// `FILE:LINE:COL: PATH: message`, warnings as `FILE:LINE:COL: warning: PATH: message`.
public struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    /// The element path, `filter/rule[3]/source/address`; empty for file-level problems.
    public var path: String
    public var position: SourcePosition?
    public var message: String

    public init(_ severity: Severity, path: String, position: SourcePosition?, message: String) {
        self.severity = severity
        self.path = path
        self.position = position
        self.message = message
    }

    /// A diagnostic about a field of an item, positioned at the field's element.
    public static func error(_ message: String, at location: SourceLocation, field: String = "") -> Self {
        Self(.error, path: location.path(of: field), position: location.position(of: field), message: message)
    }

    public static func warning(_ message: String, at location: SourceLocation, field: String = "") -> Self {
        Self(.warning, path: location.path(of: field), position: location.position(of: field), message: message)
    }

    /// `FILE:LINE:COL: PATH: message` (or `FILE:LINE:COL: warning: PATH: message`).
    public func formatted(file: String) -> String {
        var s = file + ":"
        if let position { s += "\(position.line):\(position.column):" }
        s += " "
        if severity == .warning { s += "warning: " }
        if !path.isEmpty { s += path + ": " }
        return s + message
    }

    public var description: String { formatted(file: "config.xml") }
}
