extension XMLElement {
    /// An empty list item such as `<vip/>`, `<route/>` or `<alias/>`: no child element and
    /// no text. OPNsense's MVC models write one as the placeholder of an empty list
    /// (`<virtualip version="1.0.1"><vip/></virtualip>`), pfSense 2.1 wrote `<alias/>`; both
    /// products skip it when reading (`config_get_path()` callers in
    /// `pfsense/pfsense:src/etc/inc/gwlb.inc` test `empty($gateway)`, the MVC
    /// `ArrayField` ignores nodes without children), and so does the extractor. The item
    /// keeps its place in the numbering, so the paths of the items after it still name
    /// their elements.
    var isPlaceholderItem: Bool {
        !hasElementChildren && text.trimmed.isEmpty && attributePairs.isEmpty
    }
}

/// The non-placeholder elements of a list with their index among all its items (for
/// `itemPath`, which must name the element as it is written).
func listItems(_ elements: [XMLElement]) -> [(index: Int, element: XMLElement)] {
    elements.enumerated().compactMap { $0.element.isPlaceholderItem ? nil : ($0.offset, $0.element) }
}
