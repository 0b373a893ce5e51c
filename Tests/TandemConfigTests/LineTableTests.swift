import Testing
@testable import TandemConfig

/// Byte offset → line:column, including lookups that go backwards after a forward one
/// (the table remembers its last answer to stay linear on a file written on one line).
@Suite struct LineTableTests {
    static let text = Array("ab\nc\u{e9}d<x/>\n\n<y>".utf8)

    /// The answer of a table that has not been asked before.
    static func fresh(_ offset: Int) -> SourcePosition {
        var table = LineTable(text)
        return table.position(of: offset)
    }

    @Test(arguments: [
        (0, 1, 1), (2, 1, 3), (3, 2, 1), (4, 2, 2), (5, 2, 3), (6, 2, 3), (7, 2, 4), (12, 3, 1), (13, 4, 1), (16, 4, 4),
    ])
    func positionOfOffset(offset: Int, line: Int, column: Int) {
        #expect(Self.fresh(offset) == SourcePosition(line: line, column: column))
    }

    @Test func backwardsAndRepeatedLookupsAgreeWithFreshTables() {
        var table = LineTable(Self.text)
        for offset in [7, 7, 5, 16, 0, 12, 6, 3, 17, 100, -1] {
            #expect(table.position(of: offset) == Self.fresh(offset), "offset \(offset)")
        }
    }

    /// Forward jumps of one to many lines, as a file with one element per line gives.
    @Test func forwardJumpsAgreeWithFreshTables() {
        let text = Array((0..<40).map { "<e\($0)>" + String(repeating: "\u{e9}", count: $0 % 3) }.joined(separator: "\n").utf8)
        var table = LineTable(text)
        for offset in [0, 5, 9, 14, 30, 31, 60, 120, 121, 200, text.count] {
            var fresh = LineTable(text)
            #expect(table.position(of: offset) == fresh.position(of: offset), "offset \(offset)")
        }
    }

    /// A whole config on one line: every element gets its own column, counted in characters.
    @Test func singleLineDocumentColumns() throws {
        var text = "<pfsense>"
        for i in 0..<200 { text += "<r>\u{e9}\(i)</r>" }
        text += "</pfsense>"
        let doc = try XMLParser.parse(text)
        var expected = 10
        for (i, child) in doc.root.elements.enumerated() {
            #expect(child.position == SourcePosition(line: 1, column: expected))
            expected += "<r>\u{e9}\(i)</r>".count
        }
        #expect(doc.root.elements.count == 200)
    }
}
