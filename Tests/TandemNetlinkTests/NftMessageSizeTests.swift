import Testing
@testable import TandemNetlink
import TandemRuleset

/// Encoding into a plain buffer without a kernel: comments cut between characters, fields
/// longer than the kernel accepts refused with a typed error before anything is written,
/// and every message's reservation computed from its contents.
@Suite struct NftMessageSizeTests {
    /// 64 Cyrillic letters: 128 bytes, which nft allows as a comment and the encoder cuts to
    /// 127 bytes for the NUL: the cut used to fall inside the last letter and trap.
    static let cyrillic = String(repeating: "ж", count: 64)

    static func table(_ name: String = "tandem", chain: String = "filter_in", rules: [Rule] = [],
                      sets: [NamedSet] = []) -> Ruleset {
        Ruleset(tables: [Table(family: .inet, name: name, sets: sets, chains: [
            Chain(name: chain, base: BaseChain(type: .filter, hook: .input, priority: 0), rules: rules)])])
    }

    static func encodingError(_ ruleset: Ruleset) -> NftEncodingError? {
        do {
            _ = try NftOfflineBatch.fullReplace(ruleset)
            return nil
        } catch {
            if case .unencodable(let e) = error { return e }
            Issue.record("expected an encoding error, got \(error)")
            return nil
        }
    }

    /// The bytes of `needle` occur in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test func aCommentEndingInAMultiByteLetterIsCutBeforeIt() throws {
        #expect(Self.cyrillic.utf8.count == 128)
        let rule = Rule(statements: [.verdict(.accept)], comment: Self.cyrillic)
        let set = NamedSet(name: "s", keyType: .ipv4Address, comment: Self.cyrillic)
        let chain = Chain(name: "c", comment: Self.cyrillic)
        var ruleset = Self.table(rules: [rule], sets: [set])
        ruleset.tables[0].chains.append(chain)
        let bytes = try NftOfflineBatch.fullReplace(ruleset)
        // 63 letters (126 bytes) and the NUL: the whole letter that did not fit is left out.
        let cut = Array(String(repeating: "ж", count: 63).utf8) + [0]
        #expect(Self.contains(bytes, cut))
        #expect(!Self.contains(bytes, Array(Self.cyrillic.utf8.prefix(127)) + [0]))
    }

    @Test(arguments: [
        ("table name", table(String(repeating: "t", count: 100_000))),
        ("chain name", table(chain: String(repeating: "c", count: 100_000))),
        ("set name", table(sets: [NamedSet(name: String(repeating: "a", count: 100_000), keyType: .ipv4Address)])),
        ("expression 2 cmp data", table(rules: [Rule(matches: [.iifname(.name(String(repeating: "e", count: 100_000) + "*"))],
                                                     statements: [.verdict(.accept)])])),
        ("expression 1 jump chain name", table(rules: [Rule(statements: [.verdict(.jump(String(repeating: "j", count: 300)))])])),
    ])
    func anOversizeFieldIsATypedErrorNotAnOverrun(_ field: String, _ ruleset: Ruleset) throws {
        let error = try #require(Self.encodingError(ruleset))
        #expect(error.field.hasSuffix(field), "\(error)")
        #expect(error.length > error.limit)
        // The message names the object without repeating a 100,000-byte name.
        #expect(error.description.utf8.count < 400, "\(error.description.prefix(400))")
    }

    @Test func namesAtTheKernelsLimitAreEncoded() throws {
        let name = String(repeating: "n", count: NftLimit.name)
        let bytes = try NftOfflineBatch.fullReplace(Self.table(name, chain: name, sets: [
            NamedSet(name: name, keyType: .ipv4Address, elements: [.single(.ipv4(.init(bytes: [192, 0, 2, 1])!))])]))
        #expect(Self.contains(bytes, Array(name.utf8) + [0]))
    }

    /// Every message of the coverage ruleset (every expression kind, sets, maps, NAT)
    /// stays within the bound it was given (the buffer traps otherwise), and the bound is
    /// not wildly above the real size.
    @Test func boundsHoldForEveryMessageOfTheCoverageRuleset() throws {
        var planner = NftPlanner()
        let plan = try planner.fullReplace(NftFixtures.coverage)
        for message in plan.messages {
            let buffer = NftBatchBuffer(capacity: 4096)
            try NftMessageEncoder.encode(message, sequence: 1, into: buffer)
            #expect(buffer.length <= message.encodedSizeBound)
            #expect(message.encodedSizeBound <= 4 * buffer.length + 1024, "\(message.kind)")
        }
    }

    @Test func boundsGrowWithLongNamesAndComments() throws {
        let long = String(repeating: "x", count: NftLimit.name)
        let rule = Rule(matches: [.iifname(.name("eth0"))], statements: [.counter, .log(prefix: String(repeating: "p", count: 127)),
                                                                           .verdict(.jump(long))],
                        comment: String(repeating: "c", count: 200))
        var ruleset = Self.table(long, chain: long, rules: [rule])
        ruleset.tables[0].chains.append(Chain(name: String(long.dropLast()) + "y", comment: Self.cyrillic))
        var planner = NftPlanner()
        let plan = try planner.fullReplace(ruleset)
        for message in plan.messages {
            let buffer = NftBatchBuffer(capacity: 4096)
            try NftMessageEncoder.encode(message, sequence: 1, into: buffer)
            #expect(buffer.length <= message.encodedSizeBound)
        }
    }
}
