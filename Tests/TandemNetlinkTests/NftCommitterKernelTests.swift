import Testing
@testable import TandemNetlink
import TandemAddress
import TandemRuleset
import TandemTestSupport

/// Kernel tests of the netlink committer, each in fresh `tandem-nft-*` namespaces.
@Suite("NftCommitter (kernel)", .serialized)
struct NftCommitterKernelTests {
    @Test(.needsNetworkNamespaces) func everyMatchAndStatementListsLikeNftLoadedText() throws {
        let ns = try NetworkNamespace(purpose: "nft-cover")
        defer { ns.delete() }
        let report = try NftKernel.commit(ns, CommitRequest(ruleset: NftFixtures.coverage))
        #expect(report.mode == .full)
        let ours = try NftKernel.list(ns)
        let reference = try NftKernel.reference(NftFixtures.coverageText)
        #expect(ours.contains("ip saddr @lan_hosts accept"))
        #expect(ours == reference)
        if ours != reference {
            let a = ours.split(separator: "\n"), b = reference.split(separator: "\n")
            for (x, y) in zip(a, b) where x != y { print("netlink: \(x)\nnft -f:  \(y)") }
        }
    }
}

@Suite("NftCommitter transactions (kernel)", .serialized)
struct NftCommitterTransactionKernelTests {
    static let otherTable = """
        table ip other {
          chain c {
            type filter hook input priority 10; policy accept;
            ip saddr 203.0.113.9 counter drop
          }
        }

        """

    static func small(_ rules: [Rule]) -> Ruleset {
        Ruleset(tables: [Table(family: .inet, name: "tandem", sets: [
            NamedSet(name: "lan_hosts", keyType: .ipv4Address, flags: .interval,
                     elements: [.interval(NftFixtures.a4("192.0.2.0"), NftFixtures.a4("192.0.2.127"))]),
        ], chains: [
            Chain(name: "input", base: BaseChain(type: .filter, hook: .input, priority: 0, policy: .drop), rules: rules),
            Chain(name: "if_lan"),
        ])])
    }

    static let good = small([
        NftFixtures.rule([.ctState([.established, .related])]),
        NftFixtures.rule([.address(.source, .ipv4, .namedSet("lan_hosts"))], origin: "filter/rule[1]"),
    ])

    @Test(.needsNetworkNamespaces) func otherToolsTablesSurviveAnApply() throws {
        let ns = try NetworkNamespace(purpose: "nft-other")
        defer { ns.delete() }
        try ns.exec(["nft", "-f", "-"], input: Self.otherTable)
        let before = try NftKernel.list(ns, "ip other")
        _ = try NftKernel.commit(ns, CommitRequest(ruleset: Self.good))
        _ = try NftKernel.commit(ns, CommitRequest(ruleset: NftFixtures.coverage))
        #expect(try NftKernel.list(ns, "ip other") == before)
        #expect(before.contains("ip saddr 203.0.113.9"))
    }

    @Test(.needsNetworkNamespaces) func aRejectedCommitKeepsThePreviousRulesetAndNamesTheRule() throws {
        let ns = try NetworkNamespace(purpose: "nft-reject")
        defer { ns.delete() }
        _ = try NftKernel.commit(ns, CommitRequest(ruleset: Self.good))
        let before = try NftKernel.list(ns)
        let generation = try NftKernel.generation(ns)
        let bad = Self.small([
            NftFixtures.rule([.ctState([.established, .related])]),
            Rule(matches: [.l4proto([17]), .port(.destination, .port(53))], statements: [.verdict(.jump("missing_chain"))],
                 origin: RuleOrigin(path: "filter/rule[12]", description: "allow dns", tracker: "1700000012")),
            NftFixtures.rule([.address(.source, .ipv4, .namedSet("no_such_alias"))], origin: "filter/rule[13]"),
        ])
        do {
            _ = try NftKernel.commit(ns, CommitRequest(ruleset: bad))
            Issue.record("the kernel accepted a jump to a missing chain")
        } catch NftCommitError.rejected(let errors) {
            let text = errors.map(\.description)
            #expect(text.contains { $0.hasPrefix("filter/rule[12] \"allow dns\" (tracker 1700000012): kernel: No such file or directory") })
            #expect(text.contains { $0.hasPrefix("filter/rule[13]: kernel: No such file or directory") })
        }
        #expect(try NftKernel.list(ns) == before)
        #expect(try NftKernel.generation(ns) == generation)
    }

    @Test(.needsNetworkNamespaces) func aStaleGenerationIsRefusedAsAConcurrentChange() throws {
        let ns = try NetworkNamespace(purpose: "nft-genid")
        defer { ns.delete() }
        let first = try NftKernel.commit(ns, CommitRequest(ruleset: Self.good))
        #expect(try NftKernel.generation(ns) == first.generation)
        try ns.exec(["nft", "-f", "-"], input: Self.otherTable)   // someone else commits
        let before = try NftKernel.list(ns)
        do {
            _ = try NftKernel.commit(ns, CommitRequest(ruleset: NftFixtures.coverage, expectedGeneration: first.generation))
            Issue.record("a commit with a stale generation went through")
        } catch NftCommitError.concurrentChange(let expected) {
            #expect(expected == first.generation)
        }
        #expect(try NftKernel.list(ns) == before)
        // With the current generation it goes through.
        let now = try NftKernel.generation(ns)
        let report = try NftKernel.commit(ns, CommitRequest(ruleset: NftFixtures.coverage, expectedGeneration: now))
        #expect(report.generation == now &+ 1)
        #expect(try NftKernel.generation(ns) == report.generation)
    }

    @Test(.needsNetworkNamespaces) func aDryRunValidatesAndCommitsNothing() throws {
        let ns = try NetworkNamespace(purpose: "nft-dry")
        defer { ns.delete() }
        let generation = try NftKernel.generation(ns)
        let report = try NftKernel.commit(ns, CommitRequest(ruleset: NftFixtures.coverage, dryRun: true))
        #expect(report.dryRun && report.messages > 100)
        #expect(try ns.exec(["nft", "list", "tables"]).isEmpty)
        #expect(try NftKernel.generation(ns) == generation)
        let bad = Self.small([Rule(statements: [.verdict(.goto("nowhere"))], origin: RuleOrigin(path: "filter/rule[1]"))])
        #expect(throws: NftCommitError.self) { try NftKernel.commit(ns, CommitRequest(ruleset: bad, dryRun: true)) }
    }
}

@Suite("NftCommitter vs renderer (kernel)", .serialized)
struct NftCommitterRendererKernelTests {
    /// The renderer's text loaded with `nft -f` and the same IR committed through netlink
    /// leave identical `nft list table` output.
    static func agree(_ ruleset: Ruleset, _ name: String) throws {
        let ns = try NetworkNamespace(purpose: "nft-render")
        defer { ns.delete() }
        _ = try NftKernel.commit(ns, CommitRequest(ruleset: ruleset))
        for table in ruleset.tables {
            let id = "\(table.family.rawValue) \(table.name)"
            let ours = try NftKernel.list(ns, id)
            let reference = try NftKernel.reference(ruleset.render(), table: id)
            #expect(ours == reference, "\(name): \(id)")
            if ours != reference {
                for (x, y) in zip(ours.split(separator: "\n"), reference.split(separator: "\n")) where x != y {
                    print("\(name): netlink: \(x)\n\(name): nft -f:  \(y)")
                }
            }
        }
    }

    @Test(.needsNetworkNamespaces) func theCoverageRulesetAgreesWithTheRenderedText() throws {
        try Self.agree(NftFixtures.coverage, "coverage")
    }

    /// Past `TwoCores.threshold` rules the batch is linearized and encoded in two halves at
    /// once, each numbering its own anonymous sets: the kernel must hold the same ruleset,
    /// in the same order, as `nft -f` of the text.
    @Test(.needsNetworkNamespaces) func aRulesetBuiltOnTwoCoresAgreesWithTheRenderedText() throws {
        var ruleset = NftFixtures.coverage
        let input = ruleset.tables[0].chains.firstIndex { $0.name == "input" }!
        let rules = ruleset.tables[0].chains[input].rules
        ruleset.tables[0].chains[input].rules = (0..<60).flatMap { _ in rules }
        #expect(ruleset.tables[0].chains[input].rules.count >= 2 * 2048)
        try Self.agree(ruleset, "coverage × 60")
    }
}

@Suite("NftCommitter scale (kernel)", .serialized)
struct NftCommitterScaleKernelTests {
    /// Socket buffers are sized from the batch: 100,000 rules go in one batch.
    @Test(.needsNetworkNamespaces) func aHundredThousandRulesGoInOneBatch() throws {
        let rules = (0..<100_000).map { i in
            NftFixtures.rule([.l4proto([6]), .port(.destination, .port(UInt16(1 + i % 65_000))),
                              .address(.source, .ipv4, .address(.v4(IPv4Address(198, 51, 100, UInt8(i % 250)))))],
                             [.counter, .verdict(.accept)])
        }
        let ruleset = Ruleset(tables: [Table(family: .inet, name: "tandem", chains: [
            Chain(name: "input", base: BaseChain(type: .filter, hook: .input, priority: 0), rules: rules),
        ])])
        let ns = try NetworkNamespace(purpose: "nft-scale")
        defer { ns.delete() }
        let report = try NftKernel.commit(ns, CommitRequest(ruleset: ruleset, validateFirst: true))
        #expect(report.messageCounts["NEWRULE"] == 100_000)
        #expect(report.batchBytes > 10_000_000)
        // Counted with a rule dump of the chain (listing 100k rules with nft takes seconds).
        let handles = try ns.run { try NftSession().ruleHandles(.inet, table: "tandem", chain: "input") }
        #expect(handles.count == 100_000)
    }
}
