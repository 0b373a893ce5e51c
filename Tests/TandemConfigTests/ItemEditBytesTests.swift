import Testing
@testable import TandemConfig
import TandemTestSupport

/// The byte-level pieces of an edit of one item: item spans from the parser, the window in
/// which two files differ, and the skeleton cut from a file.
@Suite struct ItemEditBytesTests {
    static let config = """
        <?xml version="1.0"?>
        <pfsense>
        \t<aliases>
        \t\t<alias><name>web</name><type>host</type><address>192.0.2.10</address></alias>
        \t</aliases>
        \t<filter>
        \t\t<rule>
        \t\t\t<type>pass</type>
        \t\t\t<interface>lan</interface>
        \t\t</rule>
        \t\t<rule/><rule><type>block</type><interface>lan</interface></rule>
        \t\t<separator><lan></lan></separator>
        \t</filter>
        </pfsense>

        """

    @Test func spansCoverEachItemFromItsStartTagToItsEnd() throws {
        let bytes = Array(Self.config.utf8)
        let (_, spans) = try XMLParser.parseWithSpans(bytes)
        let rules = spans["filter/rule"].map { String(decoding: bytes[$0], as: UTF8.self) }
        #expect(rules.count == 3)
        #expect(rules[0].hasPrefix("<rule>\n") && rules[0].hasSuffix("</rule>"))
        #expect(rules[1] == "<rule/>")
        #expect(rules[2] == "<rule><type>block</type><interface>lan</interface></rule>")
        #expect(spans["aliases/alias"].map { String(decoding: bytes[$0], as: UTF8.self) }
            == ["<alias><name>web</name><type>host</type><address>192.0.2.10</address></alias>"])
        #expect(spans["filter/separator"].count == 1)
        #expect(spans["pfsense/filter"].isEmpty, "only items, two levels below the root")
    }

    @Test func theDifferenceIsOneWindowFromBothEnds() throws {
        let a = Array("<a><b>1</b><c>2</c></a>".utf8)
        #expect(ByteDifference.between(a, a) == nil)
        let changed = try #require(ByteDifference.between(a, Array("<a><b>1</b><c>23</c></a>".utf8)))
        #expect(changed == ByteDifference(start: 15, oldCount: 0, newCount: 1))
        #expect(changed.map(0..<11) == 0..<11, "before the window: unchanged")
        #expect(changed.map(18..<22) == 19..<23, "after it: shifted")
        #expect(changed.map(11..<19) == nil, "across it: no place")
        // Where a removal is placed is a matter of equal bytes around it: any window that
        // rebuilds the new bytes is right.
        let shorter = Array("<a><b>1</b></a>".utf8)
        let removed = try #require(ByteDifference.between(a, shorter))
        #expect(removed.oldCount - removed.newCount == 8)
        #expect(Array(a[..<removed.start]) + Array(shorter[removed.newRange]) + Array(a[removed.oldRange.upperBound...]) == shorter)
    }

    /// Compared with a window of the old bytes replaced, without building the copy: the
    /// same answer as building it, over random files and edits.
    @Test func comparingAgainstAPatchedFileEqualsComparingAgainstItsCopy() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let old = (0..<Int(rng.next() % 9000)).map { _ in UInt8(ascii: "a") + UInt8(rng.next() % 3) }
            let w0 = old.isEmpty ? 0 : Int(rng.next() % UInt64(old.count))
            let w1 = w0 + Int(rng.next() % UInt64(old.count - w0 + 1))
            let patch = (0..<Int(rng.next() % 20)).map { _ in UInt8(ascii: "a") + UInt8(rng.next() % 3) }
            var copy = old
            copy.replaceSubrange(w0..<w1, with: patch)
            var new = copy
            if !new.isEmpty, rng.next() % 4 != 0 {
                let at = Int(rng.next() % UInt64(new.count))
                new.replaceSubrange(at..<min(new.count, at + Int(rng.next() % 5)), with: [UInt8(ascii: "z")])
            }
            #expect(ByteDifference.between(old, replacing: w0..<w1, with: patch, new) == ByteDifference.between(copy, new))
        }
    }

    /// A cut keeps the lines it spanned, so every position after it is the file's; what is
    /// left compiles to the same config less the items cut.
    @Test func aSkeletonKeepsLineNumbersAndMapsBackToTheFile() throws {
        let bytes = Array(Self.config.utf8)
        let document = try ConfigDocument(bytes: bytes)
        let spans = try #require(document.spans)["filter/rule"]
        let skeleton = ConfigSkeleton(bytes, cutting: [spans[0], spans[1]])
        let cut = try ConfigDocument(bytes: skeleton.bytes)
        #expect(cut.config.filterRules.count == 1)
        // The `<rule/>` placeholder is no rule: the one after it is the last.
        #expect(cut.config.filterRules[0].location.position?.line == document.config.filterRules.last?.location.position?.line)
        #expect(cut.config.aliases == document.config.aliases)
        // The alias is in a run copied from the file.
        let aliasInSkeleton = try #require(try XMLParser.parseWithSpans(skeleton.bytes).spans["aliases/alias"].first)
        #expect(skeleton.sourceRange(of: aliasInSkeleton) == document.spans?["aliases/alias"].first)
        // The cut itself is no place in the file.
        let firstCut = spans[0].lowerBound
        #expect(skeleton.sourceRange(of: firstCut..<(firstCut + 3)) == nil)
    }
}
