import TandemConfig

/// The three ways pfSense's `xmlrpc.php` folds a received PHP array into its config,
/// done on the XML tree (so untouched parts keep their layout) with the array's semantics.
enum PHPArrayMerge {
    /// PHP assigns a repeated key in place: first position, last value.
    static func phpMembers(_ members: [XMLRPCValue.Member]) -> [XMLRPCValue.Member] {
        var order: [String] = []
        var values: [String: XMLRPCValue] = [:]
        for member in members {
            if values[member.name] == nil { order.append(member.name) }
            values[member.name] = member.value
        }
        return order.map { XMLRPCValue.Member($0, values[$0]!) }
    }

    /// The elements a struct member stands for: an array's items repeated, a `false` none.
    static func elements(named name: String, from value: XMLRPCValue, path: String) throws(SectionFormError) -> [XMLElement] {
        if case .array(let items) = value {
            var result: [XMLElement] = []
            for (i, item) in items.enumerated() {
                if case .array = item {
                    throw SectionFormError(path: "\(path)[\(i + 1)]", message: "an array inside an array has no XML form")
                }
                if let e = try SectionForm.element(named: name, from: item, path: "\(path)[\(i + 1)]") { result.append(e) }
            }
            return result
        }
        return try SectionForm.element(named: name, from: value, path: path).map { [$0] } ?? []
    }

    /// `array_merge_recursive_unique($config, $sections)` (`pfsense/pfsense:src/etc/inc/util.inc`)
    /// for one section: its recursion never fires for two arrays (`count($args) > 2`), so a
    /// section that is an array locally and in the push keeps its local keys and takes each
    /// pushed key wholesale; a pushed scalar replaces the section.
    static func mergeSection(_ local: XMLElement?, name: String, with value: XMLRPCValue, depth: Int) throws(SectionFormError) -> XMLElement? {
        guard let local, local.hasElementChildren || local.text.allSatisfy(\.isWhitespace),
              case .struct(let members) = value else {
            return try SectionForm.element(named: name, from: value)
        }
        var merged = local
        for member in phpMembers(members) {
            if member.name == SectionForm.attributesKey || member.name == SectionForm.textKey { continue }
            let replacement = try elements(named: member.name, from: member.value, path: name + "/" + member.name)
            merged.replaceChildren(named: member.name, with: replacement, depth: depth + 1)
        }
        return merged
    }

    /// `array_overlay($config, $section)` of `merge_config_section`: only keys that exist
    /// locally change; two arrays are overlaid key by key (lists index by index), anything
    /// else is replaced.
    static func overlay(_ local: XMLRPCValue, with incoming: XMLRPCValue) -> XMLRPCValue {
        switch (local, incoming) {
        case (.struct(let l), .struct(let i)):
            let pushed = Dictionary(phpMembers(i).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
            return .struct(l.map { m in pushed[m.name].map { XMLRPCValue.Member(m.name, overlay(m.value, with: $0)) } ?? m })
        case (.array(let l), .array(let i)):
            return .array(l.enumerated().map { n, v in n < i.count ? overlay(v, with: i[n]) : v })
        case (.struct, .array), (.array, .struct):
            // Keyed and numbered arrays share no keys: nothing to overlay.
            return local
        default:
            return incoming
        }
    }

    /// PHP's loose `==` on two arrays: the same keys with loosely equal values, in any order
    /// for keyed arrays; scalars compared as their text (`"1" == 1`).
    static func looselyEqual(_ a: XMLRPCValue, _ b: XMLRPCValue) -> Bool {
        switch (a, b) {
        case (.struct(let x), .struct(let y)):
            let xs = phpMembers(x), ys = phpMembers(y)
            guard xs.count == ys.count else { return false }
            let yd = Dictionary(ys.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
            return xs.allSatisfy { m in yd[m.name].map { looselyEqual(m.value, $0) } ?? false }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy(looselyEqual)
        case (.struct, _), (_, .struct), (.array, _), (_, .array):
            return false
        default:
            return SectionForm.scalarText(a) == SectionForm.scalarText(b)
        }
    }
}

extension XMLElement {
    /// Replaces the children named `name` by `replacement`, in place of the first of them
    /// (appended when there was none), laid out for a child at `depth`.
    mutating func replaceChildren(named name: String, with replacement: [XMLElement], depth: Int) {
        guard children.contains(where: { $0.element?.name == name }) else {
            for e in replacement { insertChild(e, depth: depth - 1) }
            return
        }
        let indent = XMLNode.text("\n" + String(repeating: "\t", count: depth))
        var result: [XMLNode] = []
        var placed = false
        for node in children {
            guard case .element(let e) = node, e.name == name else {
                result.append(node)
                continue
            }
            if placed || replacement.isEmpty {
                // Drop the layout that introduced the removed element.
                if let last = result.last, last.isLayout { result.removeLast() }
                placed = true
                continue
            }
            placed = true
            for (i, r) in replacement.enumerated() {
                if i > 0 { result.append(indent) }
                result.append(.element(r.position == nil ? r.laidOut(depth: depth) : r))
            }
        }
        if result.allSatisfy(\.isLayout) { result = [] }
        children = result
    }
}
