/// What changed between two configs, section by section and item by item, as a revision
/// list shows it: `filter: +rule (tracker 1700000001); aliases: ~webservers`. Computed
/// from the XML trees, so sections Tandem does not model (pfSense's packages, `<cron>`)
/// show up too. `<revision>` is the stamp of a change, not a change, and is left out.
public struct ConfigChanges: Sendable, Hashable, Codable {
    /// One top-level section (`filter`, `aliases`, `system`, ...) that differs.
    public struct Section: Sendable, Hashable, Codable {
        public var name: String
        /// `+item`, `-item`, `~item`; empty when the section itself came or went.
        public var items: [String]
        /// `added`, `removed` or `changed`.
        public var kind: String

        public init(name: String, kind: String, items: [String]) {
            self.name = name
            self.kind = kind
            self.items = items
        }

        /// `filter: +rule (tracker 1700000001), ~rule (tracker 1700000002)`, `+unbound`.
        public var line: String {
            switch kind {
            case "added": "+\(name)"
            case "removed": "-\(name)"
            default: items.isEmpty ? "~\(name)" : "\(name): " + items.joined(separator: ", ")
            }
        }
    }

    public var sections: [Section]

    public init(sections: [Section]) {
        self.sections = sections
    }

    /// One line for a listing; `no change` when the configs are the same.
    public var summary: String {
        sections.isEmpty ? "no change" : sections.map(\.line).joined(separator: "; ")
    }

    /// The changes from `old` to `new` (both `<pfsense>` roots).
    public init(from old: XMLElement, to new: XMLElement) {
        sections = Self.compareChildren(old, new, top: true).map { change in
            switch change {
            case .added(let label): Section(name: label, kind: "added", items: [])
            case .removed(let label): Section(name: label, kind: "removed", items: [])
            case .changed(let label, let items): Section(name: label, kind: "changed", items: items)
            }
        }
    }

    private enum Change {
        case added(String), removed(String), changed(String, [String])
    }

    /// Children of `old` and `new` matched by name, and for names that repeat (or that
    /// pfSense lists, `rule`, `alias`, ...) by the item's key.
    private static func compareChildren(_ old: XMLElement, _ new: XMLElement, top: Bool) -> [Change] {
        let oldElements = old.elements.filter { !(top && $0.name == "revision") }
        let newElements = new.elements.filter { !(top && $0.name == "revision") }
        var names: [String] = []
        for e in oldElements + newElements where !names.contains(e.name) { names.append(e.name) }
        var changes: [Change] = []
        for name in names {
            let before = oldElements.filter { $0.name == name }
            let after = newElements.filter { $0.name == name }
            if before.count <= 1, after.count <= 1, !listed.contains(name) {
                switch (before.first, after.first) {
                case (nil, _?): changes.append(.added(name))
                case (_?, nil): changes.append(.removed(name))
                case (let a?, let b?) where !sameContent(a, b):
                    // A section lists what changed in it; an item below one is just changed.
                    changes.append(.changed(name, top ? itemChanges(a, b) : []))
                default: break
                }
                continue
            }
            changes += keyedChanges(before, after)
        }
        return changes
    }

    /// Inside one section: its repeated items by key, its single children by name.
    private static func itemChanges(_ old: XMLElement, _ new: XMLElement) -> [String] {
        compareChildren(old, new, top: false).map { change in
            switch change {
            case .added(let label): "+\(label)"
            case .removed(let label): "-\(label)"
            case .changed(let label, _): "~\(label)"
            }
        }
    }

    /// Element names that are list items even when only one is present.
    static let listed: Set<String> = ["rule", "alias", "vip", "user", "group", "route", "gateway_item",
                                      "staticmap", "item", "hosts", "domainoverrides", "onetoone", "npt"]

    private static func keyedChanges(_ before: [XMLElement], _ after: [XMLElement]) -> [Change] {
        let oldKeyed = keyed(before), newKeyed = keyed(after)
        // Keys are unique within a side (`keyed`): a 10,000-rule filter is matched in one pass.
        let oldByKey = Dictionary(oldKeyed.map { ($0.key, $0.element) }, uniquingKeysWith: { first, _ in first })
        let newKeys = Set(newKeyed.map(\.key))
        var changes: [Change] = []
        for (key, element) in oldKeyed where !newKeys.contains(key) {
            changes.append(.removed(label(element, key: key)))
        }
        for (key, element) in newKeyed {
            guard let previous = oldByKey[key] else {
                changes.append(.added(label(element, key: key)))
                continue
            }
            if !sameContent(previous, element) { changes.append(.changed(label(element, key: key), [])) }
        }
        return changes
    }

    /// Each item with its key: pfSense's identifying child (a rule's `tracker`, an alias's
    /// or user's `name`, a VIP's `subnet`, a route's `network`), else its `descr`, else its
    /// position among its siblings. Keys that repeat get their occurrence appended.
    private static func keyed(_ elements: [XMLElement]) -> [(key: String, element: XMLElement)] {
        var seen: [String: Int] = [:]
        return elements.enumerated().map { index, element in
            var key = identity(element).map { "\($0.field)=\($0.value)" } ?? "#\(index + 1)"
            let n = seen[key, default: 0]
            seen[key] = n + 1
            if n > 0 { key += "#\(n + 1)" }
            return (key, element)
        }
    }

    private static let identifyingFields = ["tracker", "name", "subnet", "network", "descr"]

    private static func identity(_ element: XMLElement) -> (field: String, value: String)? {
        for field in identifyingFields {
            if let value = element.child(field)?.text.trimmed, !value.isEmpty { return (field, value) }
        }
        return nil
    }

    /// `rule (tracker 1700000001)`, `webservers` (a name), `vip 198.51.100.1`, `rule #3`.
    private static func label(_ element: XMLElement, key: String) -> String {
        guard let (field, value) = identity(element) else { return "\(element.name) \(key)" }
        switch field {
        case "name": return element.name == "alias" ? value : "\(element.name) \(value)"
        case "tracker": return "\(element.name) (tracker \(value))"
        case "descr": return "\(element.name) \"\(value)\""
        default: return "\(element.name) \(value)"
        }
    }

    /// Equal content: the same name, attributes, and children with whitespace-only text
    /// (layout) left out and text compared trimmed.
    static func sameContent(_ a: XMLElement, _ b: XMLElement) -> Bool {
        guard a.name == b.name, a.attributes.elementsEqual(b.attributes, by: { $0 == $1 }) else { return false }
        let ac = a.children.filter { !$0.isLayout }, bc = b.children.filter { !$0.isLayout }
        guard ac.count == bc.count else { return false }
        for (x, y) in zip(ac, bc) {
            switch (x, y) {
            case (.element(let e), .element(let f)): if !sameContent(e, f) { return false }
            case (.text(let s), .text(let t)), (.cdata(let s), .cdata(let t)): if s.trimmed != t.trimmed { return false }
            default: if x != y { return false }
            }
        }
        return true
    }
}
