import Foundation
import Testing
import TandemTestSupport

/// `tandem apply` of a file that differs from the applied one inside one filter rule or
/// alias takes the edit path (only that item read, compiled and sent). Whatever path an
/// apply takes, the kernel and the stored config must end up exactly as a full apply of the
/// same file leaves them in a fresh namespace: that is what these tests compare, through
/// chains of edits (each one starting from the index the previous one recorded).
@Suite("tandem apply: edits of one item (kernel)", .serialized)
struct ApplyEditKernelTests {
    typealias Node = NftApplyCLIKernelTests.Node

    static func golden(_ name: String) throws -> String {
        try String(contentsOf: NftApplyCLIKernelTests.goldens.appendingPathComponent(name), encoding: .utf8)
    }

    /// The stored config without its revision time, which differs from run to run.
    static func withoutTime(_ text: String?) -> String {
        (text ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("<time>") }.joined(separator: "\n")
    }

    /// Applies `text` on `node` (`tandem apply -v`), then the same file with a full apply on
    /// a fresh node, and compares the kernels and the stored configs. Returns the output.
    @discardableResult
    static func applyAndCompare(_ node: Node, _ name: String, _ text: String, edit expected: String?,
                                sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = try node.file(name, text)
        let (status, out) = try node.tandem(["apply", "-v", path])
        #expect(status == 0, "\(out)", sourceLocation: sourceLocation)
        if let expected {
            #expect(out.contains("edit of one item: \(expected)"), "\(out)", sourceLocation: sourceLocation)
        } else {
            #expect(!out.contains("edit of one item:"), "\(out)", sourceLocation: sourceLocation)
        }
        let fresh = try Node()
        defer { fresh.cleanUp() }
        let (freshStatus, freshOut) = try fresh.tandem(["apply", try fresh.file(name, text)])
        #expect(freshStatus == 0, "\(freshOut)", sourceLocation: sourceLocation)
        #expect(node.listing == fresh.listing, "after \(expected ?? "a full apply")", sourceLocation: sourceLocation)
        #expect(withoutTime(node.config) == withoutTime(fresh.config), sourceLocation: sourceLocation)
        return out
    }

    @Test(.needsNetworkNamespaces) func editsOfFloatingAndInterfaceRulesLeaveWhatAFullApplyLeaves() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let base = try Self.golden("floating.xml")
        try Self.applyAndCompare(node, "fw.xml", base, edit: nil)
        // Each edit, then back to the base from the index the edit recorded.
        let edits: [(String, String, String)] = [
            // A quick floating rule on two interfaces (an anonymous set of devices).
            ("<port>25</port>", "<port>26</port>", "filter/rule[1]"),
            // A non-quick rule: its chain holds the last-match rules in reverse.
            ("198.51.100.53", "198.51.100.54", "filter/rule[3]"),
            // Only the description (the kernel rule's comment).
            ("<descr>LAN to any</descr>", "<descr>LAN to anywhere</descr>", "filter/rule[5]"),
        ]
        for (from, to, item) in edits {
            try Self.applyAndCompare(node, "fw.xml", base.replacingOccurrences(of: from, with: to), edit: item)
            try Self.applyAndCompare(node, "fw.xml", base, edit: item)
        }
        // Disabled: its kernel rules deleted, nothing added.
        let disabled = base.replacingOccurrences(of: "<tracker>2005</tracker>", with: "<tracker>2005</tracker><disabled></disabled>")
        try Self.applyAndCompare(node, "fw.xml", disabled, edit: "filter/rule[5]")
        // Enabled again: no kernel rule of its own to place the new ones by, so the whole
        // file is read (and the commit is still incremental).
        let out = try Self.applyAndCompare(node, "fw.xml", base, edit: nil)
        #expect(out.contains("incremental"), "\(out)")
        // Moved to another interface's chain: the whole file.
        try Self.applyAndCompare(node, "fw.xml", base.replacingOccurrences(of: "<interface>lan</interface>",
                                                                            with: "<interface>wan</interface>"), edit: nil)
        try Self.applyAndCompare(node, "fw.xml", base, edit: nil)
        // Outside any rule or alias: the whole file.
        try Self.applyAndCompare(node, "fw.xml", base.replacingOccurrences(of: "<hostname>primaryfw</hostname>",
                                                                            with: "<hostname>otherfw</hostname>"), edit: nil)
    }

    @Test(.needsNetworkNamespaces) func anAliasEntryIsElementsOnly() throws {
        let node = try Node()
        defer { node.cleanUp() }
        try Self.applyAndCompare(node, "fw.xml", try NftApplyCLIKernelTests.aliasesConfig(extraServer: false), edit: nil)
        let out = try Self.applyAndCompare(node, "fw.xml", try NftApplyCLIKernelTests.aliasesConfig(extraServer: true),
                                           edit: "aliases/alias[")
        #expect(out.contains("NEWSETELEM"), "\(out)")
        #expect(!out.contains("NEWRULE"), "\(out)")
        try Self.applyAndCompare(node, "fw.xml", try NftApplyCLIKernelTests.aliasesConfig(extraServer: false),
                                 edit: "aliases/alias[")
    }

    @Test(.needsNetworkNamespaces) func editingTheStoredConfigInPlaceIsAnEdit() throws {
        let node = try Node()
        defer { node.cleanUp() }
        try Self.applyAndCompare(node, "fw.xml", try Self.golden("floating.xml"), edit: nil)
        // The stored file carries the revision the apply stamped; the user edits it there
        // and applies the node's config (no FILE).
        let stored = try #require(node.config)
        let edited = stored.replacingOccurrences(of: "<port>6667</port>", with: "<port>6697</port>")
        try edited.write(toFile: node.root.appendingPathComponent("etc/tandem/config.xml").path, atomically: true, encoding: .utf8)
        let (status, out) = try node.tandem(["apply", "-v"])
        #expect(status == 0, "\(out)")
        #expect(out.contains("edit of one item: filter/rule[4]"), "\(out)")
        let fresh = try Node()
        defer { fresh.cleanUp() }
        _ = try fresh.tandem(["apply", try fresh.file("fw.xml", edited)])
        #expect(node.listing == fresh.listing)
        #expect(node.config?.contains("<port>6697</port>") == true)
        #expect(node.config?.components(separatedBy: "<revision>").count == 2, "one revision element")
    }

    /// The revision of an edit is written up to the last filter rule while the edit is still
    /// being checked; a config that keeps its `<revision>` before the filter rules has it
    /// stamped there, and the revision is then written whole: either way it is the file a
    /// full apply stores.
    @Test(.needsNetworkNamespaces) func aRevisionStampedBeforeTheFilterRulesIsStoredAsAFullApplyStoresIt() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let base = try Self.golden("floating.xml").replacingOccurrences(
            of: "\t<filter>", with: "\t<revision>\n\t\t<time>1</time>\n\t\t<description>before</description>\n\t</revision>\n\t<filter>")
        #expect(base.contains("</revision>\n\t<filter>"))
        try Self.applyAndCompare(node, "fw.xml", base, edit: nil)
        let edited = base.replacingOccurrences(of: "<port>6667</port>", with: "<port>6697</port>")
        try Self.applyAndCompare(node, "fw.xml", edited, edit: "filter/rule[4]")
        #expect(node.config?.contains("<port>6697</port>") == true)
        let revision = try #require(node.config?.range(of: "<revision>")), filter = try #require(node.config?.range(of: "<filter>"))
        #expect(revision.lowerBound < filter.lowerBound)
        try Self.expectNoPendingRevision(node)
    }

    /// No temporary revision file is left in the history, whatever path the apply took.
    static func expectNoPendingRevision(_ node: Node, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let history = try FileManager.default.contentsOfDirectory(atPath: node.root.appendingPathComponent("var/lib/tandem/history").path)
        #expect(history.allSatisfy { !$0.hasPrefix(".") }, "\(history)", sourceLocation: sourceLocation)
    }

    /// Applies `bad` on `node` (which holds `base`, applied) and expects it refused with the
    /// kernel and the stored config unchanged. Returns the output.
    @discardableResult
    static func expectRefused(_ node: Node, base: String, _ bad: String, _ arguments: [String] = [],
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try applyAndCompare(node, "fw.xml", base, edit: nil, sourceLocation: sourceLocation)
        let before = node.listing, config = node.config
        let (status, out) = try node.tandem(["apply"] + arguments + [try node.file("bad.xml", bad)])
        #expect(status == 1, "\(out)", sourceLocation: sourceLocation)
        #expect(out.contains("nothing was changed"), "\(out)", sourceLocation: sourceLocation)
        #expect(node.listing == before, sourceLocation: sourceLocation)
        #expect(node.config == config, sourceLocation: sourceLocation)
        return out
    }

    @Test(.needsNetworkNamespaces) func anInvalidEditIsReportedWithTheWholeFileAndChangesNothing() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let base = try Self.golden("floating.xml")
        let bad = base.replacingOccurrences(of: "<interface>lan</interface>", with: "<interface>nosuch</interface>")
        let out = try Self.expectRefused(node, base: base, bad)
        #expect(out.contains("filter/rule[5]"), "\(out)")
        // The recorded index still serves the next edit.
        try Self.applyAndCompare(node, "fw.xml", base.replacingOccurrences(of: "<port>25</port>", with: "<port>2525</port>"),
                                 edit: "filter/rule[1]")
    }

    /// An edit of one rule that the checks refuse once it is located, its revision already
    /// being written: the edit is dropped with its revision, and the whole file reports it.
    @Test(.needsNetworkNamespaces) func anEditRefusedAfterItsRevisionStartedChangesNothing() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let base = try Self.golden("floating.xml")
        let bad = base.replacingOccurrences(of: "<port>25</port>", with: "<port>99999</port>")
        let out = try Self.expectRefused(node, base: base, bad, ["-v"])
        #expect(out.contains("not an edit of one item (the new file has errors)"), "\(out)")
        try Self.expectNoPendingRevision(node)
    }

    @Test(.needsNetworkNamespaces) func aCommitByAnotherToolInBetweenMeansTheWholeFile() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let base = try Self.golden("floating.xml")
        try Self.applyAndCompare(node, "fw.xml", base, edit: nil)
        let before = node.listing
        // Another commit in between: the recorded generation is stale, so the edit path
        // steps aside and the whole file is applied (incrementally, against the kernel).
        _ = try node.ns.exec(["nft", "add", "table", "inet", "other"])
        try Self.applyAndCompare(node, "fw.xml", base.replacingOccurrences(of: "<port>25</port>", with: "<port>26</port>"),
                                 edit: nil)
        #expect(node.listing != before)
    }

    /// A file of 1,200 filter rules (LAN, every third on WAN), long enough for its tabs to be
    /// cut into parts of 500 rule numbers, with rule groups on.
    static func longConfig(port700: Int = 700, source700: Int? = nil, range701: Bool = false, rule1Disabled: Bool = false,
                           ruleOnTop: Bool = false) -> String {
        let top = "<rule><type>block</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
            + "<source><any></any></source><destination><any></any><port>9999</port></destination><descr>on top</descr></rule>"
        let rules = (ruleOnTop ? [top] : []) + (1...1_200).map { n in
            "<rule><type>pass</type>\(n == 1 && rule1Disabled ? "<disabled></disabled>" : "")"
                + "<interface>\(n % 3 == 0 ? "wan" : "lan")</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
                + "<source><address>192.0.2.\(n == 700 ? source700 ?? 201 : n % 250 + 1)</address></source>"
                + "<destination><any></any><port>\(n == 700 ? String(port700) : n == 701 && range701 ? "701-702" : String(n))</port>"
                + "</destination><descr>rule \(n)</descr></rule>"
        }
        return """
        <?xml version="1.0"?>
        <pfsense><version>23.3</version><system><hostname>longfw</hostname><tandem><rulegroups></rulegroups></tandem></system>
        <interfaces><wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet></wan>
        <lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan></interfaces>
        <filter>
        \(rules.joined(separator: "\n"))
        </filter></pfsense>
        """
    }

    @Test(.needsNetworkNamespaces) func anEditInALongFileTouchesOnlyItsPart() throws {
        let node = try Node()
        defer { node.cleanUp() }
        try Self.applyAndCompare(node, "fw.xml", Self.longConfig(), edit: nil)
        #expect(node.listing.contains("chain if_lan.501 {"))
        // The LAN rules differ only in their source address and port: each part holds them as
        // one rule and a set (`RuleGroups`). Rule 700, in the second LAN part: one element
        // out, one in, no rule.
        #expect(node.listing.contains("@rules_if_lan_501_1"))
        let out = try Self.applyAndCompare(node, "fw.xml", Self.longConfig(port700: 7000), edit: "filter/rule[700]")
        #expect(out.contains("DELSETELEM 1") && out.contains("NEWSETELEM 1") && !out.contains("NEWRULE"), "\(out)")
        // The first rule of the file disabled: its element goes. Enabled again, it could
        // make a group of rules that were not one: the whole file is compiled.
        try Self.applyAndCompare(node, "fw.xml", Self.longConfig(port700: 7000, rule1Disabled: true), edit: "filter/rule[1]")
        try Self.applyAndCompare(node, "fw.xml", Self.longConfig(port700: 7000), edit: nil)
        // A grouped rule given a port range leaves its group's shape: a full compile.
        try Self.applyAndCompare(node, "fw.xml", Self.longConfig(port700: 7000, range701: true), edit: nil)
        try Self.applyAndCompare(node, "fw.xml", Self.longConfig(port700: 7000), edit: nil)
        // A rule given the tuple of another rule of its group: the kernel refuses the
        // element as a duplicate and the apply is a full one.
        let duplicate = try Self.applyAndCompare(node, "fw.xml", Self.longConfig(port700: 701, source700: 701 % 250 + 1), edit: nil)
        #expect(duplicate.contains("another rule has it"), "\(duplicate)")
        // Its group now has a rule without an element of its own: edits there are full ones.
        try Self.applyAndCompare(node, "fw.xml", Self.longConfig(port700: 7000), edit: nil)
        try Self.applyAndCompare(node, "fw.xml", Self.longConfig(), edit: "filter/rule[700]")
        // A rule inserted on top renumbers every rule after it: each part gains the rule
        // before it and loses its last, a few messages in all (not the ~1,200 rules again).
        for text in [Self.longConfig(ruleOnTop: true), Self.longConfig()] {
            let out = try Self.applyAndCompare(node, "fw.xml", text, edit: nil)
            let count = out.firstMatch(of: /incremental, (\d+) messages/).flatMap { Int($0.1) }
            #expect(count != nil && count! <= 16, "\(out)")
        }
    }
}
