/// Where each item of a config file was written: the byte span (`<rule>` through `</rule>`)
/// of every element two levels below the root, grouped by container and item name
/// (`filter/rule`, `aliases/alias`), in file order. Recorded by the parser from libxml2's
/// input offsets; an edit that stays inside one item is located with them, so only that
/// item needs reading again (issue #3: one changed rule in a 10,000-rule file).
public struct ItemSpans: Sendable, Hashable {
    public private(set) var byKind: [String: [Range<Int>]] = [:]

    public init(byKind: [String: [Range<Int>]] = [:]) {
        self.byKind = byKind
    }

    mutating func record(container: String, item: String, _ span: Range<Int>) {
        byKind[container + "/" + item, default: []].append(span)
    }

    /// The spans of `container/item` elements (`"filter/rule"`), in file order.
    public subscript(_ kind: String) -> [Range<Int>] {
        byKind[kind] ?? []
    }
}
