/// The tree under construction: the open elements, text not yet attached, and what comes
/// before and after the root. Pure: fed events and byte offsets by `TreeBuilder`.
struct TreeState {
    let input: [UInt8]
    private var lines: LineTable
    private var stack: [XMLElement] = []
    private var pendingText: [UInt8] = []
    private(set) var prolog: [XMLNode] = []
    private(set) var epilog: [XMLNode] = []
    private(set) var root: XMLElement?
    /// Short texts seen as an element's first child, each with the one-node children array
    /// made for it. Leaf values repeat across items (`pass`, `lan`, `inet`, `tcp`, an
    /// address), and elements holding the same text share one array by copy-on-write instead
    /// of allocating their own (issue #3: 50k rules are 400k leaves). Bounded in size.
    private var sharedLeaves: [String: [XMLNode]] = [:]
    private static let sharedLeavesLimit = 4096
    /// Byte spans of the elements two levels below the root (the items: `filter/rule`,
    /// `aliases/alias`, …), and where the open one started.
    private(set) var spans = ItemSpans()
    private var itemStart = 0

    init(input: [UInt8]) {
        self.input = input
        self.lines = LineTable(input)
    }

    /// Every element opened was closed.
    var isComplete: Bool { stack.isEmpty }

    /// The end of the input, where an unclosed document is reported.
    mutating func endPosition() -> SourcePosition {
        lines.position(ofEnd: input.count)
    }

    /// The position of the `<` that opens the construct ending at `end`.
    mutating func position(ofTagBefore end: Int) -> SourcePosition {
        lines.position(of: tagStart(before: end))
    }

    /// The `<` that opens the construct the cursor is in (a start tag cannot contain `<`).
    private func tagStart(before end: Int) -> Int {
        var i = min(end, input.count) - 1
        while i >= 0 {
            if input[i] == UInt8(ascii: "<") { return i }
            i -= 1
        }
        return max(0, min(end, input.count))
    }

    /// `tagEnd` is the parser's offset after the start tag's name and attributes.
    mutating func startElement(name: String, attributes: [XMLAttribute], tagEnd end: Int) {
        flushText()
        let start = tagStart(before: end)
        let selfClosing = end < input.count && input[end] == UInt8(ascii: "/")
        var element = XMLElement(name: name, position: lines.position(of: start), selfClosing: selfClosing)
        element.attributePairs = attributes
        stack.append(element)
        if stack.count == 3 { itemStart = start }
    }

    /// `end`: the parser's offset after the end tag (or after `/>`).
    mutating func endElement(end: Int) {
        flushText()
        if stack.count == 3 {
            spans.record(container: stack[1].name, item: stack[2].name, itemStart..<min(end, input.count))
        }
        guard let element = stack.popLast() else { return }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(.element(element))
        }
    }

    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !stack.isEmpty else { return }
        pendingText.append(contentsOf: bytes)
    }

    /// A node after any pending text: into the open element, or before or after the root.
    mutating func append(_ node: XMLNode) {
        flushText()
        if !stack.isEmpty {
            stack[stack.count - 1].children.append(node)
        } else if root == nil {
            prolog.append(node)
        } else {
            epilog.append(node)
        }
    }

    private mutating func flushText() {
        guard !pendingText.isEmpty else { return }
        let text = String(decoding: pendingText, as: UTF8.self)
        pendingText.removeAll(keepingCapacity: true)
        let top = stack.count - 1
        // Short: such a String is stored inline, so a table key costs no allocation either.
        guard stack[top].children.isEmpty, text.utf8.count <= 15 else {
            stack[top].children.append(.text(text))
            return
        }
        if let shared = sharedLeaves[text] {
            stack[top].children = shared
            return
        }
        let children: [XMLNode] = [.text(text)]
        if sharedLeaves.count < Self.sharedLeavesLimit { sharedLeaves[text] = children }
        stack[top].children = children
    }
}
