import Testing
import TandemNetlink
import TandemRuleset
import TandemTestSupport

/// Incremental commits against the kernel: only what changed is sent, and the result
/// lists exactly like a full replace of the new ruleset.
@Suite("NftCommitter incremental (kernel)", .serialized)
struct NftIncrementalKernelTests {
    typealias F = NftFixtures

    static func ruleset(hosts: [SetElement], input: [Rule], extraChains: [Chain] = [], extraSets: [NamedSet] = []) -> Ruleset {
        Ruleset(tables: [Table(family: .inet, name: "tandem", sets: [
            NamedSet(name: "lan_hosts", keyType: .ipv4Address, flags: .interval, elements: hosts),
            NamedSet(name: "dispatch", keyType: .ifname, dataType: .verdict,
                     elements: [.mapping(.ifname("eth0"), .jump("if_lan"))]),
        ] + extraSets, chains: [
            Chain(name: "input", base: BaseChain(type: .filter, hook: .input, priority: 0, policy: .drop), rules: input),
            Chain(name: "if_lan", rules: [F.rule([.l4proto([6]), .port(.destination, .port(22))])]),
        ] + extraChains)])
    }

    static let hosts: [SetElement] = [
        .interval(F.a4("192.0.2.0"), F.a4("192.0.2.127")), .single(F.a4("198.51.100.7")),
        .interval(F.a4("203.0.113.10"), F.a4("203.0.113.20")),
    ]
    static let input: [Rule] = [
        F.rule([.ctState([.established, .related])]),
        F.rule([], [.vmap(key: .iifname, map: "dispatch")]),
        F.rule([.address(.source, .ipv4, .namedSet("lan_hosts"))]),
    ]
    static let base = ruleset(hosts: hosts, input: input)

    /// Listing after a full commit of `ruleset` in a namespace of its own.
    static func fullListing(_ ruleset: Ruleset) throws -> String {
        let ns = try NetworkNamespace(purpose: "nft-full")
        defer { ns.delete() }
        _ = try NftKernel.commit(ns, CommitRequest(ruleset: ruleset))
        return try NftKernel.list(ns)
    }

    /// Commits `base`, then `next` incrementally; returns the second report after checking
    /// the listing equals a full commit of `next`.
    static func step(_ purpose: String, from base: Ruleset, to next: Ruleset) throws -> CommitReport {
        let ns = try NetworkNamespace(purpose: purpose)
        defer { ns.delete() }
        let first = try NftKernel.commit(ns, CommitRequest(ruleset: base))
        let previous = CommittedRuleset(ruleset: base, generation: first.generation)
        let dry = try NftKernel.commit(ns, CommitRequest(ruleset: next, previous: previous, dryRun: true))
        let report = try NftKernel.commit(ns, CommitRequest(ruleset: next, previous: previous))
        #expect(dry.messageCounts == report.messageCounts)
        #expect(try NftKernel.list(ns) == (try fullListing(next)))
        return report
    }

    @Test(.needsNetworkNamespaces) func anAliasWithOneNewAddressIsOneElementMessage() throws {
        let next = Self.ruleset(hosts: Self.hosts + [.single(F.a4("203.0.113.99"))], input: Self.input)
        let report = try Self.step("nft-inc-alias", from: Self.base, to: next)
        #expect(report.mode == .incremental)
        #expect(report.messageCounts == ["NEWSETELEM": 1])
    }

    @Test(.needsNetworkNamespaces) func removedAndWidenedRangesMoveOnlyTheirBoundaries() throws {
        let next = Self.ruleset(hosts: [
            .interval(F.a4("192.0.2.0"), F.a4("192.0.2.255")),
            .interval(F.a4("203.0.113.10"), F.a4("203.0.113.20")),
        ], input: Self.input)
        let report = try Self.step("nft-inc-range", from: Self.base, to: next)
        #expect(report.mode == .incremental)
        #expect(report.messageCounts == ["DELSETELEM": 1, "NEWSETELEM": 1])
    }

    @Test(.needsNetworkNamespaces) func aChangedChainGetsOnlyItsNewRulesWithNewChainsAndSetsFirst() throws {
        let next = Self.ruleset(hosts: Self.hosts, input: Self.input + [
            F.rule([.address(.destination, .ipv4, .namedSet("dns_servers"))], [.verdict(.jump("if_dmz"))]),
        ], extraChains: [
            Chain(name: "if_dmz", rules: [F.rule([.l4proto([17]), .port(.destination, .port(53))])]),
        ], extraSets: [
            NamedSet(name: "dns_servers", keyType: .ipv4Address, elements: [.single(F.a4("198.51.100.53"))]),
        ])
        let report = try Self.step("nft-inc-chain", from: Self.base, to: next)
        #expect(report.mode == .incremental)
        #expect(report.messageCounts == ["NEWCHAIN": 1, "NEWSET": 1, "NEWSETELEM": 1, "NEWRULE": 2])
        // And back: the rule goes by handle, the chain and set after the rules that used them.
        let back = try Self.step("nft-inc-back", from: next, to: Self.base)
        #expect(back.messageCounts == ["DELRULE": 2, "DELSET": 1, "DELCHAIN": 1])
    }

    @Test(.needsNetworkNamespaces, arguments: [
        // A rule changed in the middle: one out by handle, one in after the kept head.
        ([F.rule([.ctState([.established, .related])]),
          F.rule([], [.vmap(key: .iifname, map: "dispatch")]),
          F.rule([.address(.source, .ipv4, .namedSet("lan_hosts"))], [.verdict(.drop)])], ["DELRULE": 1, "NEWRULE": 1]),
        // Two rules in front: inserted before the first kept rule.
        ([F.rule([.metaMark(1)], [.verdict(.drop)]), F.rule([.metaMark(2)], [.verdict(.drop)])] + input,
         ["NEWRULE": 2]),
        // Everything replaced: nothing to keep, so old rules out and new ones appended.
        ([F.rule([.metaMark(3)])], ["DELRULE": 3, "NEWRULE": 1]),
        // Same rules with other origins (a rule moved elsewhere in config.xml): no kernel change.
        (input.map { var r = $0; r.origin = RuleOrigin(path: "filter/rule[99]"); return r }, [:]),
    ] as [([Rule], [String: Int])])
    func ruleEditsInAChainTouchOnlyTheChangedRules(_ rules: [Rule], _ counts: [String: Int]) throws {
        let report = try Self.step("nft-inc-edit", from: Self.base, to: Self.ruleset(hosts: Self.hosts, input: rules))
        #expect(report.messageCounts == counts)
    }

    @Test(.needsNetworkNamespaces) func aVerdictMapEntryChangeTouchesOnlyThatEntry() throws {
        var next = Self.base
        next.tables[0].sets[1].elements = [.mapping(.ifname("eth0"), .goto("if_lan")), .mapping(.ifname("eth1"), .drop)]
        let report = try Self.step("nft-inc-vmap", from: Self.base, to: next)
        #expect(report.messageCounts == ["DELSETELEM": 1, "NEWSETELEM": 1])
    }

    @Test(.needsNetworkNamespaces) func anotherCommitInBetweenForcesAFullReplace() throws {
        let ns = try NetworkNamespace(purpose: "nft-inc-foreign")
        defer { ns.delete() }
        let first = try NftKernel.commit(ns, CommitRequest(ruleset: Self.base))
        // Someone edits our table behind our back: our model of it can't be trusted.
        try ns.exec(["nft", "add", "rule", "inet", "tandem", "if_lan", "counter"])
        let next = Self.ruleset(hosts: Self.hosts + [.single(F.a4("203.0.113.99"))], input: Self.input)
        let report = try NftKernel.commit(ns, CommitRequest(
            ruleset: next, previous: CommittedRuleset(ruleset: Self.base, generation: first.generation)))
        #expect(report.mode == .full)
        #expect(report.fullReason?.contains("another commit") == true)
        #expect(try NftKernel.list(ns) == (try Self.fullListing(next)))
    }

    @Test(.needsNetworkNamespaces) func nothingChangedSendsNothing() throws {
        let ns = try NetworkNamespace(purpose: "nft-inc-same")
        defer { ns.delete() }
        let first = try NftKernel.commit(ns, CommitRequest(ruleset: Self.base))
        let report = try NftKernel.commit(ns, CommitRequest(
            ruleset: Self.base, previous: CommittedRuleset(ruleset: Self.base, generation: first.generation)))
        #expect(report.mode == .unchanged && report.messages == 0)
        #expect(try NftKernel.generation(ns) == first.generation)
    }
}

/// The handles a commit reports are the kernel's, so the next incremental commit can
/// delete and place rules without dumping the chain.
@Suite("NftCommitter rule handles (kernel)", .serialized)
struct NftRuleHandlesKernelTests {
    typealias I = NftIncrementalKernelTests
    typealias F = NftFixtures

    /// Rule handles per chain as `nft -a` lists them (`… # handle N` on each rule line).
    static func kernelHandles(_ ns: NetworkNamespace) throws -> NftRuleHandles {
        var chains: [NftRuleHandles.ChainID: [UInt64]] = [:]
        var chain: String?
        for line in try ns.exec(["nft", "-a", "list", "table", "inet", "tandem"]).split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("chain ") {
                chain = String(t.split(separator: " ")[1])
                chains[.init(.inet, table: "tandem", chain: chain!)] = []
            } else if t == "}" {
                chain = nil
            } else if let c = chain, let r = t.range(of: "# handle "), let h = UInt64(t[r.upperBound...]) {
                chains[.init(.inet, table: "tandem", chain: c), default: []].append(h)
            }
        }
        return NftRuleHandles(chains: chains)
    }

    static let middleEdit = I.ruleset(hosts: I.hosts, input: [
        F.rule([.ctState([.established, .related])]),
        F.rule([.metaMark(7)], [.verdict(.drop)]),
        F.rule([], [.vmap(key: .iifname, map: "dispatch")]),
        F.rule([.address(.source, .ipv4, .namedSet("lan_hosts"))], [.verdict(.drop)]),
    ])
    static let withDMZ = I.ruleset(hosts: I.hosts, input: I.input + [
        F.rule([.address(.destination, .ipv4, .namedSet("dns_servers"))], [.verdict(.jump("if_dmz"))]),
    ], extraChains: [
        Chain(name: "if_dmz", rules: [F.rule([.l4proto([17]), .port(.destination, .port(53))]),
                                      F.rule([.l4proto([6]), .port(.destination, .port(53))])]),
    ], extraSets: [
        NamedSet(name: "dns_servers", keyType: .ipv4Address, elements: [.single(F.a4("198.51.100.53"))]),
    ])

    @Test(.needsNetworkNamespaces) func reportedHandlesAreTheKernelsThroughFullAndIncrementalCommits() throws {
        let ns = try NetworkNamespace(purpose: "nft-handles")
        defer { ns.delete() }
        var previous: CommittedRuleset?
        for (step, next) in [I.base, Self.withDMZ, Self.middleEdit, I.base, Self.withDMZ].enumerated() {
            if let previous {
                // A dry run advances the table's handle counter without committing: the
                // next echo, not a prediction, must give the new rules' handles.
                _ = try NftKernel.commit(ns, CommitRequest(ruleset: next, previous: previous, dryRun: true))
            }
            let report = try NftKernel.commit(ns, CommitRequest(ruleset: next, previous: previous))
            #expect(report.mode == (step == 0 ? .full : .incremental), "step \(step)")
            #expect(report.handles == (try Self.kernelHandles(ns)), "step \(step)")
            #expect(try NftKernel.list(ns) == (try I.fullListing(next)), "step \(step)")
            previous = CommittedRuleset(ruleset: next, generation: report.generation, handles: report.handles)
        }
    }

    @Test(.needsNetworkNamespaces) func aFullReplaceOverAnOlderTablePredictsFreshHandles() throws {
        let ns = try NetworkNamespace(purpose: "nft-handles-full")
        defer { ns.delete() }
        _ = try NftKernel.commit(ns, CommitRequest(ruleset: Self.withDMZ))
        let report = try NftKernel.commit(ns, CommitRequest(ruleset: Self.middleEdit))
        #expect(report.mode == .full)
        #expect(report.handles == (try Self.kernelHandles(ns)))
    }

    @Test(.needsNetworkNamespaces) func wrongRecordedHandlesFallBackToTheKernelsOwn() throws {
        let ns = try NetworkNamespace(purpose: "nft-handles-stale")
        defer { ns.delete() }
        let first = try NftKernel.commit(ns, CommitRequest(ruleset: I.base))
        var wrong = try #require(first.handles)
        for id in wrong.chains.keys { wrong.chains[id] = wrong.chains[id]!.map { $0 + 1000 } }
        let report = try NftKernel.commit(ns, CommitRequest(
            ruleset: Self.middleEdit, previous: CommittedRuleset(ruleset: I.base, generation: first.generation, handles: wrong)))
        #expect(report.mode == .incremental)
        #expect(try NftKernel.list(ns) == (try I.fullListing(Self.middleEdit)))
        // Known now: the chain that was dumped and edited; the others are dumped when needed.
        let kernel = try Self.kernelHandles(ns)
        let handles = try #require(report.handles)
        #expect(handles.chains.keys.contains(.init(.inet, table: "tandem", chain: "input")))
        for (id, h) in handles.chains { #expect(kernel.chains[id] == h, "\(id.chain)") }
    }
}
