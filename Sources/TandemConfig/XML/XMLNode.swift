/// A small owned XML tree: what libxml2 reported, as Swift values. It keeps everything a
/// config.xml can hold (unknown elements, comments, CDATA, whitespace and element order), so
/// writing it back loses nothing (pfsense-config.md §1, "Unknown elements", "XML comments").
public enum XMLNode: Sendable, Hashable {
    case element(XMLElement)
    /// Character data, entities already decoded. Whitespace between elements is kept as text
    /// so that an unedited file is written back byte for byte.
    case text(String)
    case cdata(String)
    case comment(String)
    case processingInstruction(target: String, data: String)

    public var element: XMLElement? {
        if case .element(let e) = self { return e }
        return nil
    }

    /// Whitespace-only text: layout, not content.
    public var isLayout: Bool {
        if case .text(let t) = self { return t.allSatisfy(\.isWhitespace) }
        return false
    }
}

/// One element with its attributes and children.
public struct XMLElement: Sendable, Hashable {
    public var name: String
    /// Attributes in document order (namespace declarations included, as `xmlns…`).
    public var attributes: [(name: String, value: String)] {
        get { attributePairs.map { ($0.name, $0.value) } }
        set { attributePairs = newValue.map { XMLAttribute(name: $0.name, value: $0.value) } }
    }
    var attributePairs: [XMLAttribute]
    public var children: [XMLNode]
    /// Where the start tag was read; nil for elements created by an edit.
    public var position: SourcePosition?
    /// Whether the source wrote it as `<name/>` (kept so an unedited file round-trips).
    public var selfClosing: Bool

    public init(name: String, attributes: [(name: String, value: String)] = [], children: [XMLNode] = [],
                position: SourcePosition? = nil, selfClosing: Bool = false) {
        self.name = name
        self.attributePairs = attributes.map { XMLAttribute(name: $0.name, value: $0.value) }
        self.children = children
        self.position = position
        self.selfClosing = selfClosing
    }

    /// A leaf element holding text.
    public init(name: String, text: String) {
        self.init(name: name, children: text.isEmpty ? [] : [.text(text)])
    }

    public func attribute(_ name: String) -> String? {
        attributePairs.first { $0.name == name }?.value
    }

    /// Child elements in order.
    public var elements: [XMLElement] { children.compactMap(\.element) }

    /// The first child element with this name.
    public func child(_ name: String) -> XMLElement? {
        // Lengths first: they are stored, while a failed String comparison is a library call,
        // and most lookups are for fields an item does not have (issue #3).
        // By index, not `for case … in children`: the iterator hands out each child as a
        // copy (a retain and release of its name, attributes and children), and most
        // children are looked at only to be passed over.
        let count = name.utf8.count
        for i in children.indices {
            if case .element(let e) = children[i], e.name.utf8.count == count, e.name == name { return e }
        }
        return nil
    }

    /// Every child element with this name (a list tag that occurs once is a one-element list).
    public func children(_ name: String) -> [XMLElement] {
        var result: [XMLElement] = []
        for case .element(let e) in children where e.name == name { result.append(e) }
        return result
    }

    /// The element at a relative path of child names (`source/address`).
    public func descendant(_ path: String) -> XMLElement? {
        var current = self
        var rest = Substring(path)
        // Sliced by UTF-8 bytes: `/` is ASCII, so it never sits inside another character.
        while let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            let part = rest[..<slash]
            rest = rest[rest.utf8.index(after: slash)...]
            if part.isEmpty { continue }
            guard let next = current.child(String(part)) else { return nil }
            current = next
        }
        return rest.isEmpty ? current : current.child(String(rest))
    }

    /// The concatenated text and CDATA content (comments skipped), as written.
    public var text: String {
        // The common leaf: one text or CDATA node.
        if children.count == 1 {
            switch children[0] {
            case .text(let t), .cdata(let t): return t
            default: return ""
            }
        }
        var result = ""
        for child in children {
            switch child {
            case .text(let t), .cdata(let t): result += t
            default: break
            }
        }
        return result
    }

    /// Whether the element has child elements (as opposed to only text).
    public var hasElementChildren: Bool {
        children.contains { if case .element = $0 { true } else { false } }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.attributePairs == rhs.attributePairs && lhs.children == rhs.children
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(attributePairs)
        hasher.combine(children)
    }
}

struct XMLAttribute: Sendable, Hashable {
    var name: String
    var value: String
}

/// A whole document: what comes before the root (XML declaration, comments), the root, and
/// what follows it.
public struct XMLDocument: Sendable, Hashable {
    /// The XML declaration as written (`<?xml version="1.0"?>`), nil when absent.
    public var declaration: String?
    public var prolog: [XMLNode]
    public var root: XMLElement
    public var epilog: [XMLNode]

    public init(declaration: String? = "<?xml version=\"1.0\"?>", prolog: [XMLNode] = [], root: XMLElement,
                epilog: [XMLNode] = []) {
        self.declaration = declaration
        self.prolog = prolog
        self.root = root
        self.epilog = epilog
    }
}
