import Testing
@testable import TandemNetlink
import TandemRuleset

/// Following rule handles through a batch (pure): predicted in tables the batch creates,
/// taken from the kernel's echo elsewhere, edited by DELRULE and positioned NEWRULE.
@Suite("NftRuleHandles")
struct NftRuleHandlesTests {
    static let chainA = NftChainDefinition(name: "a", base: nil, comment: nil)
    static let chainB = NftChainDefinition(name: "b", base: nil, comment: nil)
    static let set = NftSetDefinition(name: "s", id: 1, flags: 0, key: .ipv4Address, isVerdictMap: false, comment: nil, elements: [])
    static func rule(_ chain: String, _ position: NftRulePosition = .end) -> NftMessage {
        .newRule(.inet, table: "t", chain: chain, expressions: [], comment: nil, position: position)
    }
    static func id(_ chain: String) -> NftRuleHandles.ChainID { .init(.inet, table: "t", chain: chain) }

    @Test func aFullReplaceNumbersChainsSetsAndRulesInBatchOrderFromOne() throws {
        var plan = NftBatchPlan()
        for m: NftMessage in [.newTable(.inet, "t"), .deleteTable(.inet, "t"), .newTable(.inet, "t"),
                              .newChain(.inet, table: "t", Self.chainA), .newChain(.inet, table: "t", Self.chainB),
                              .newSet(.inet, table: "t", Self.set), Self.rule("a"),
                              .newSet(.inet, table: "t", Self.set), Self.rule("a"), Self.rule("b")] {
            plan.add(m, "")
        }
        // What an earlier commit recorded for the old table does not matter: it is replaced.
        let old = NftRuleHandles(chains: [Self.id("a"): [40, 41], Self.id("gone"): [42]])
        for before in [nil, old] {
            let handles = try NftRuleHandles.after(plan, before: before, echoed: [:])
            #expect(handles.chains == [Self.id("a"): [4, 6], Self.id("b"): [7]])
        }
    }

    @Test func anIncrementalBatchTakesEchoedHandlesAndEditsInPlace() throws {
        var plan = NftBatchPlan()
        for m: NftMessage in [.deleteRule(.inet, table: "t", chain: "a", handle: 6),
                              Self.rule("a", .after(handle: 4)), Self.rule("a", .before(handle: 9)),
                              .flushChain(.inet, table: "t", chain: "b"), Self.rule("b"),
                              .newChain(.inet, table: "t", Self.chainB), // re-created: empty again
                              .deleteChain(.inet, table: "t", chain: "c")] {
            plan.add(m, "")
        }
        let before = NftRuleHandles(chains: [Self.id("a"): [4, 6, 9], Self.id("b"): [5, 7], Self.id("c"): [8]])
        let handles = try NftRuleHandles.after(plan, before: before, echoed: [1: 12, 2: 13, 4: 14])
        #expect(handles.chains == [Self.id("a"): [4, 12, 13, 9], Self.id("b"): []])
    }

    @Test func aRuleWithoutEchoInAnExistingTableOrAnUnknownHandleIsUnknown() {
        let before = NftRuleHandles(chains: [Self.id("a"): [4]])
        var noEcho = NftBatchPlan()
        noEcho.add(Self.rule("a"), "")
        #expect(throws: NftRuleHandles.Unknown.self) { try NftRuleHandles.after(noEcho, before: before, echoed: [:]) }
        var stale = NftBatchPlan()
        stale.add(.deleteRule(.inet, table: "t", chain: "a", handle: 99), "")
        #expect(throws: NftRuleHandles.Unknown.self) { try NftRuleHandles.after(stale, before: before, echoed: [:]) }
    }

    @Test func theEncodedFormRoundTripsAndRejectsGarbage() {
        let handles = NftRuleHandles(chains: [Self.id("a"): [4, 12, UInt64.max], Self.id("empty"): [],
                                              .init(.ip6, table: "x", chain: "y"): [1]])
        let encoded = handles.encoded
        #expect(NftRuleHandles(encoded: encoded) == handles)
        for n in 0..<encoded.count { #expect(NftRuleHandles(encoded: Array(encoded.prefix(n))) == nil) }
        #expect(NftRuleHandles(encoded: encoded + [0]) == nil)
        #expect(NftRuleHandles(encoded: Array("inet t a 4\n".utf8)) == nil)
        // A family nftables does not have.
        var unknown = StateWriter(tag: "TNH1")
        unknown.u32(1)
        unknown.string("nosuchfamily")
        unknown.string("t")
        unknown.string("a")
        unknown.u32(0)
        #expect(NftRuleHandles(encoded: unknown.bytes) == nil)
        // A count larger than what follows.
        var long = StateWriter(tag: "TNH1")
        long.u32(1_000_000)
        #expect(NftRuleHandles(encoded: long.bytes) == nil)
    }

    @Test func echoedRuleHandlesAreReadFromNewRuleNotifications() {
        // nlmsghdr (len 40, NFT_MSG_NEWRULE in nftables, seq 77) + nfgenmsg + NFTA_RULE_TABLE "t"
        // + NFTA_RULE_HANDLE 0x1234 (big endian), then an ack that is not a rule.
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        u32(40); u16(10 << 8 | 6); u16(0); u32(77); u32(0)
        bytes += [1, 0, 0, 0]
        u16(6); u16(1); bytes += [0x74, 0, 0, 0]
        u16(12); u16(3); withUnsafeBytes(of: UInt64(0x1234).bigEndian) { bytes += $0 }
        u32(36); u16(2); u16(0x100); u32(78); u32(0); u32(0); bytes += [UInt8](repeating: 0, count: 16)
        let echoed = bytes.withUnsafeBytes { NftAcknowledgements.echoedRuleHandles($0) }
        #expect(echoed.map(\.sequence) == [77] && echoed.map(\.handle) == [0x1234])
    }
}
