/// A line and column in the config file, both 1-based, as libxml2 reports them.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// Where an item (a rule, an alias, a VIP, an interface, …) came from: its element path,
/// 1-based like XPath (`filter/rule[3]`), the position of its start tag, and the positions of
/// the elements below it (`source/address`), so a diagnostic can point at the field itself.
///
/// Equality ignores positions: two configs are equal when their values and element paths
/// are, wherever in the file they were written (a round trip may re-indent the file).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var position: SourcePosition?
    /// Positions of descendant elements by path relative to the item (`source/address`).
    public var fieldPositions: [String: SourcePosition]

    public init(path: String, position: SourcePosition? = nil, fieldPositions: [String: SourcePosition] = [:]) {
        self.path = path
        self.position = position
        self.fieldPositions = fieldPositions
    }

    /// The path of a field below this item: `filter/rule[3]` + `source/address`.
    public func path(of field: String) -> String {
        field.isEmpty ? path : path + "/" + field
    }

    /// Where a field was written; falls back to the nearest enclosing element that exists
    /// (a missing `<subnet>` is reported at its `<interface>`).
    public func position(of field: String) -> SourcePosition? {
        var key = Substring(field)
        while !key.isEmpty {
            if let p = fieldPositions[String(key)] { return p }
            guard let slash = key.lastIndex(of: "/") else { break }
            key = key[..<slash]
        }
        return position
    }

    public var description: String {
        if let position { return "\(path) (\(position))" }
        return path
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.path == rhs.path }
    public func hash(into hasher: inout Hasher) { hasher.combine(path) }
}

/// When and by whom an item or the whole file was last changed (`<created>`, `<updated>`,
/// `<revision>`): `time` is unix time, sometimes with a fraction.
public struct ChangeStamp: Sendable, Hashable {
    public var time: Double?
    public var username: String?
    public var description: String?

    public init(time: Double? = nil, username: String? = nil, description: String? = nil) {
        self.time = time
        self.username = username
        self.description = description
    }
}
