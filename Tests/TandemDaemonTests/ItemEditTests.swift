import Testing
import TandemCompiler
import TandemConfig
import TandemNetlink
import TandemRuleset
@testable import TandemDaemon

/// An edit of one item, planned without a kernel: where it is, what the skeletons compile
/// to, and the windows the committer gets.
@Suite("ItemEdit")
struct ItemEditTests {
    static let config = """
        <?xml version="1.0"?>
        <pfsense>
        \t<system><hostname>fw</hostname><domain>example.test</domain></system>
        \t<interfaces>
        \t\t<lan><enable></enable><if>lan0</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan>
        \t</interfaces>
        \t<aliases>
        \t\t<alias><name>web</name><type>host</type><address>192.0.2.10 192.0.2.11</address></alias>
        \t</aliases>
        \t<filter>
        \t\t<rule><type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any></any></source><destination><address>web</address><port>443</port></destination></rule>
        \t\t<rule><type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any></any></source><destination><any></any><port>22</port></destination></rule>
        \t\t<rule><type>block</type><interface>lan</interface><source><any></any></source><destination><any></any></destination></rule>
        \t</filter>
        </pfsense>

        """

    /// What a full apply of `text` records: the stored (stamped) bytes, handles numbered
    /// from 100 in every chain, and the index.
    struct Applied {
        var stored: [UInt8]
        var handles: NftRuleHandles
        var items: AppliedItems
    }

    static func applied(_ text: String) throws -> Applied {
        let input = Array(text.utf8)
        let document = try ConfigDocument(bytes: input)
        let ruleset = RulesetCompiler.compile(document.config).ruleset
        var handles = NftRuleHandles()
        var next: UInt64 = 100
        for table in ruleset.tables {
            for chain in table.chains {
                handles.chains[.init(table.family, table: table.name, chain: chain.name)] = chain.rules.map { _ in
                    next += 1
                    return next
                }
            }
        }
        let stored = ConfigStore.stamped(document, user: "root", description: "test", time: 1_800_000_000).bytes
        let spans = try #require(document.spans)
        let items = try #require(AppliedItems.make(ruleset: ruleset, handles: handles, input: input, spans: spans,
                                                   filterRules: document.config.filterRules.count, stamped: stored))
        return Applied(stored: stored, handles: handles, items: items)
    }

    static func windows(_ applied: Applied, _ new: String) throws -> ItemEdit.Windows {
        let location = try ItemEdit.locate(new: Array(new.utf8), stored: applied.stored, items: applied.items)
        let oldSkeleton = ItemEdit.oldSkeleton(location), newSkeleton = ItemEdit.newSkeleton(location)
        let old = RulesetCompiler.compile(try ItemEdit.numbered(try ConfigDocument(bytes: oldSkeleton.bytes).config,
                                                               kind: location.kind)).ruleset
        let now = RulesetCompiler.compile(try ItemEdit.numbered(try ConfigDocument(bytes: newSkeleton.bytes).config,
                                                               kind: location.kind)).ruleset
        return try ItemEdit.windows(old: old, new: now, kind: location.kind, items: applied.items, handles: applied.handles)
    }

    @Test func aChangedRuleIsFoundInTheGivenAndInTheStoredFile() throws {
        let applied = try Self.applied(Self.config)
        let edited = Self.config.replacingOccurrences(of: "<port>22</port>", with: "<port>2222</port>")
        #expect(try ItemEdit.locate(new: Array(edited.utf8), stored: applied.stored, items: applied.items).kind
            == .filterRule(number: 2))
        // The same edit made in the stored file, which has the revision.
        let storedEdit = String(decoding: applied.stored, as: UTF8.self).replacingOccurrences(of: "<port>22</port>", with: "<port>2222</port>")
        #expect(try ItemEdit.locate(new: Array(storedEdit.utf8), stored: applied.stored, items: applied.items).kind
            == .filterRule(number: 2))
        let unchanged = try ItemEdit.locate(new: Array(Self.config.utf8), stored: applied.stored, items: applied.items)
        #expect(unchanged.kind == .unchanged)
        let alias = Self.config.replacingOccurrences(of: "192.0.2.11<", with: "192.0.2.11 192.0.2.12<")
        #expect(try ItemEdit.locate(new: Array(alias.utf8), stored: applied.stored, items: applied.items).kind == .alias(index: 0))
        let hostname = Self.config.replacingOccurrences(of: "<hostname>fw<", with: "<hostname>fw2<")
        #expect(throws: ItemEdit.NotApplicable.self) {
            try ItemEdit.locate(new: Array(hostname.utf8), stored: applied.stored, items: applied.items)
        }
        // Two rules changed: the window spans both.
        let two = edited.replacingOccurrences(of: "<port>443</port>", with: "<port>8443</port>")
        #expect(throws: ItemEdit.NotApplicable.self) {
            try ItemEdit.locate(new: Array(two.utf8), stored: applied.stored, items: applied.items)
        }
    }

    @Test func theWindowIsTheRuleBesideItsKeptNeighbour() throws {
        let applied = try Self.applied(Self.config)
        let edited = Self.config.replacingOccurrences(of: "<port>22</port>", with: "<port>2222</port>")
        let windows = try Self.windows(applied, edited)
        #expect(windows.handles.chains.count == 1, "only the edited chain")
        let (id, handles) = try #require(windows.handles.chains.first)
        let all = try #require(applied.handles.chains[id]), owners = try #require(applied.items.chainItems[id])
        let at = try #require(owners.firstIndex(of: 2))
        #expect(handles == [all[at - 1], all[at]], "the rule before it, then the rule itself")
        let previous = try #require(windows.previous.tables.first?.chains.first { $0.name == id.chain })
        let next = try #require(windows.next.tables.first?.chains.first { $0.name == id.chain })
        #expect(previous.rules.count == 2 && next.rules.count == 2)
        #expect(previous.rules[0] == next.rules[0], "the anchor is the same on both sides")
        #expect(next.rules[1].origin?.path == "filter/rule[2]")
        #expect(windows.chainItems[id] == owners, "one rule for one: the owners are unchanged")
        // Every other chain is empty in both windows, and the sets are the kernel's.
        for chain in windows.next.tables[0].chains where chain.name != id.chain { #expect(chain.rules.isEmpty) }
        #expect(windows.next.tables[0].sets.map(\.name) == windows.previous.tables[0].sets.map(\.name))
    }

    @Test func anAliasEditIsElementsOnly() throws {
        let applied = try Self.applied(Self.config)
        let alias = Self.config.replacingOccurrences(of: "192.0.2.11<", with: "192.0.2.11 192.0.2.12<")
        let windows = try Self.windows(applied, alias)
        #expect(windows.handles.chains.isEmpty)
        #expect(windows.next.tables[0].chains.allSatisfy { $0.rules.isEmpty })
        let before = try #require(windows.previous.tables[0].sets.first { $0.name == "alias_web_v4" })
        let after = try #require(windows.next.tables[0].sets.first { $0.name == "alias_web_v4" })
        #expect(before.elements != after.elements)
    }

    /// A first IPv6 entry makes a new set, and rules cut out of the skeleton that use the
    /// alias would gain IPv6 rules: not an edit of one item.
    @Test func anAliasThatGainsASetIsNotOneItem() throws {
        let applied = try Self.applied(Self.config)
        let v6 = Self.config.replacingOccurrences(of: "192.0.2.11<", with: "192.0.2.11 2001:db8::1<")
        #expect(throws: ItemEdit.NotApplicable.self) { try Self.windows(applied, v6) }
    }

    /// A tagged rule's bit depends on every rule before it: its edit is a full apply.
    @Test func aRuleWithATagIsNotOneItem() throws {
        let tagged = Self.config.replacingOccurrences(of: "<port>22</port></destination></rule>",
                                                      with: "<port>22</port></destination><tag>SSH</tag></rule>")
        let config = try ConfigDocument(text: tagged).config
        var one = config
        one.filterRules = [config.filterRules[1]]
        #expect(throws: ItemEdit.NotApplicable.self) { try ItemEdit.numbered(one, kind: .filterRule(number: 2)) }
        one.filterRules[0].tag = nil
        #expect(try ItemEdit.numbered(one, kind: .filterRule(number: 2)).filterRules[0].number == 2)
    }

    @Test func aRuleWithNoKernelRuleOfItsOwnHasNoPlaceToGo() throws {
        let disabled = Self.config.replacingOccurrences(of: "<type>block</type>", with: "<type>block</type><disabled></disabled>")
        let applied = try Self.applied(disabled)
        #expect(throws: ItemEdit.NotApplicable.self) { try Self.windows(applied, Self.config) }
    }

    @Test func theIndexReadsBackAsWritten() throws {
        let applied = try Self.applied(Self.config)
        #expect(applied.items.unstamped != nil, "the revision was stamped in")
        let encoded = applied.items.encoded
        #expect(AppliedItems(encoded: encoded) == applied.items)
        // Every truncation, a trailing byte and a wrong tag read as nothing.
        for n in 0..<encoded.count { #expect(AppliedItems(encoded: Array(encoded.prefix(n))) == nil) }
        #expect(AppliedItems(encoded: encoded + [0]) == nil)
        #expect(AppliedItems(encoded: Array("filter 1-2\n".utf8)) == nil)
        #expect(applied.items.unstampedBytes(of: applied.stored) == Array(Self.config.utf8))
        #expect(AppliedItems.filterNumber(RuleOrigin(path: "filter/rule[12]")) == 12)
        #expect(AppliedItems.filterNumber(RuleOrigin(path: "nat/rule[1]")) == 0)
        #expect(NftRuleHandles(encoded: applied.handles.encoded) == applied.handles)
    }
}
