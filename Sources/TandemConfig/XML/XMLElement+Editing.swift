/// Edits by element path (`hasync/adminsync`), applied to the root. Existing nodes keep
/// their layout; new ones are laid out as pfSense writes them (`xmlparse.inc`
/// `dump_xml_config_sub`): one element per line, tab indentation, `<x></x>` when empty, and
/// CDATA for the fields pfSense writes as CDATA.
extension XMLElement {
    /// Field-name prefixes pfSense writes in CDATA (`is_cdata_entity()`, pfsense-config.md §1).
    static let cdataPrefixes = ["descr", "detail", "password", "username", "text", "state", "email", "hint",
                                "ldap_", "common_name", "auth_"]

    static func usesCDATA(_ name: String) -> Bool {
        cdataPrefixes.contains { name.hasPrefix($0) }
    }

    /// A leaf with pfSense's choice of text or CDATA.
    public static func leaf(_ name: String, _ text: String) -> XMLElement {
        if text.isEmpty { return XMLElement(name: name) }
        return XMLElement(name: name, children: [usesCDATA(name) ? .cdata(text) : .text(text)])
    }

    /// Sets the text of the element at `path` (created with its parents when missing);
    /// nil removes it.
    public mutating func setValue(_ text: String?, at path: String) {
        let parts = path.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { return }
        update(parts[...], depth: 1) { existing in
            guard let text else { return nil }
            var e = existing ?? XMLElement(name: parts.last!)
            let layout = XMLElement.leaf(e.name, text)
            e.children = layout.children
            return e
        }
    }

    /// Present-means-true: `on` creates an empty element, off removes it (§1).
    public mutating func setFlag(_ on: Bool, at path: String) {
        let parts = path.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { return }
        update(parts[...], depth: 1) { existing in
            on ? (existing ?? XMLElement(name: parts.last!)) : nil
        }
    }

    /// Replaces (or inserts, or with nil removes) the first element at `path`.
    public mutating func setElement(_ element: XMLElement?, at path: String) {
        let parts = path.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { return }
        update(parts[...], depth: 1) { _ in element }
    }

    /// Appends a child to the element at `parentPath` ("" = this element).
    public mutating func appendElement(_ element: XMLElement, at parentPath: String = "") {
        let parts = parentPath.split(separator: "/").map(String.init)
        if parts.isEmpty {
            insertChild(element, depth: 0)
            return
        }
        update(parts[...], depth: 1) { existing in
            var parent = existing ?? XMLElement(name: parts.last!)
            parent.insertChild(element, depth: parts.count)
            return parent
        }
    }

    /// Removes every child element named `name` of the element at `parentPath`.
    public mutating func removeElements(named name: String, at parentPath: String = "") {
        let parts = parentPath.split(separator: "/").map(String.init)
        if parts.isEmpty {
            removeChildren(named: name)
            return
        }
        update(parts[...], depth: 1) { existing in
            guard var parent = existing else { return nil }
            parent.removeChildren(named: name)
            return parent
        }
    }

    /// The top-level `<revision>` pfSense's `write_config()` stamps.
    public mutating func setRevision(time: Double, description: String, username: String) {
        let timeText = time == time.rounded() && abs(time) < 1e15 ? String(Int64(time)) : String(time)
        let revision = XMLElement(name: "revision", children: [
            .element(.leaf("time", timeText)), .element(.leaf("description", description)),
            .element(.leaf("username", username)),
        ])
        setElement(revision, at: "revision")
    }

    // MARK: - internals

    /// Applies `change` to the first element at `parts` below self (self is at depth-1).
    private mutating func update(_ parts: ArraySlice<String>, depth: Int, _ change: (XMLElement?) -> XMLElement?) {
        let name = parts.first!
        let index = children.firstIndex { $0.element?.name == name }
        if parts.count == 1 {
            let existing = index.flatMap { children[$0].element }
            guard let replacement = change(existing) else {
                if let index { removeChild(at: index) }
                return
            }
            if let index {
                children[index] = .element(replacement.position == nil ? replacement.laidOut(depth: depth) : replacement)
            } else {
                insertChild(replacement, depth: depth - 1)
            }
            return
        }
        var child = index.flatMap { children[$0].element } ?? XMLElement(name: name)
        child.update(parts.dropFirst(), depth: depth + 1, change)
        if let index {
            children[index] = .element(child)
        } else {
            insertChild(child, depth: depth - 1)
        }
    }

    /// Appends `child` after the last element child, indented for `depth` (this element's
    /// depth; the root is 0), keeping the closing tag's layout.
    public mutating func insertChild(_ child: XMLElement, depth: Int) {
        let indent = "\n" + String(repeating: "\t", count: depth + 1)
        let closing = "\n" + String(repeating: "\t", count: depth)
        let laid = child.position == nil ? child.laidOut(depth: depth + 1) : child
        if let last = children.lastIndex(where: { !$0.isLayout }) {
            children.insert(contentsOf: [.text(indent), .element(laid)], at: last + 1)
        } else {
            children = [.text(indent), .element(laid), .text(closing)]
        }
    }

    private mutating func removeChild(at index: Int) {
        children.remove(at: index)
        // Drop the layout that introduced it, so no blank line is left behind.
        if index > 0, children[index - 1].isLayout, index - 1 > 0 || children.count > index {
            children.remove(at: index - 1)
        }
        if children.allSatisfy(\.isLayout) { children = [] }
    }

    private mutating func removeChildren(named name: String) {
        while let index = children.firstIndex(where: { $0.element?.name == name }) {
            removeChild(at: index)
        }
    }

    /// pfSense layout for a new subtree at `depth`.
    public func laidOut(depth: Int) -> XMLElement {
        guard hasElementChildren else { return self }
        var copy = self
        var laid: [XMLNode] = []
        for child in children where !child.isLayout {
            laid.append(.text("\n" + String(repeating: "\t", count: depth + 1)))
            if case .element(let e) = child, e.position == nil {
                laid.append(.element(e.laidOut(depth: depth + 1)))
            } else {
                laid.append(child)
            }
        }
        laid.append(.text("\n" + String(repeating: "\t", count: depth)))
        copy.children = laid
        return copy
    }
}
