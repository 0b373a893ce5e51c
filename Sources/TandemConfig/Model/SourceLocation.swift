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
    /// The item's element as read, kept (shared, not copied) so field positions are looked
    /// up only when a diagnostic needs one.
    var element: XMLElement?

    public init(path: String, position: SourcePosition? = nil) {
        self.path = path
        self.position = position
    }

    init(path: String, element: XMLElement) {
        self.path = path
        self.position = element.position
        self.element = element
    }

    /// The path of a field below this item: `filter/rule[3]` + `source/address`.
    public func path(of field: String) -> String {
        field.isEmpty ? path : path + "/" + field
    }

    /// Where a field was written (`source/address`, `dnsserver[2]`); falls back to the
    /// nearest enclosing element that exists (a missing `<subnet>` is reported at its
    /// `<interface>`).
    public func position(of field: String) -> SourcePosition? {
        guard let element, !field.isEmpty else { return position }
        var best = position
        _ = element.walk(field) { if let p = $0.position { best = p } }
        return best
    }

    /// Whether the item has an element at `field`.
    public func has(_ field: String) -> Bool {
        guard let element else { return false }
        return element.walk(field) { _ in }
    }

    public var description: String {
        if let position { return "\(path) (\(position))" }
        return path
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.path == rhs.path }
    public func hash(into hasher: inout Hasher) { hasher.combine(path) }
}

extension XMLElement {
    /// Follows a field path (`source/address`, `dnsserver[2]`; empty parts skipped) from this
    /// element, calling `visit` on each element reached; true when every part was found.
    /// Parts are sliced from the path, not split into a new array: validation asks this for
    /// every rule endpoint (issue #3).
    func walk(_ field: String, _ visit: (XMLElement) -> Void) -> Bool {
        var current = self
        var rest = field[...]
        while !rest.isEmpty {
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let part = rest[..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.utf8.index(after: end)...]
            if part.isEmpty { continue }
            guard let next = current.child(indexed: part) else { return false }
            visit(next)
            current = next
        }
        return true
    }

    /// `name` or `name[i]` (1-based among the children of that name).
    func child(indexed part: Substring) -> XMLElement? {
        // The byte test first: most parts are plain names, and `last` walks graphemes.
        guard part.utf8.last == UInt8(ascii: "]"), part.last == "]", let open = part.firstIndex(of: "["), let n = Int(part[part.index(after: open)..<part.index(before: part.endIndex)]),
              n >= 1 else { return child(String(part)) }
        let all = children(String(part[..<open]))
        return n <= all.count ? all[n - 1] : nil
    }
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
