import Testing
@testable import TandemNetlink
import TandemRuleset

/// Batch plans without a kernel: order of a full replace, subjects for error mapping,
/// element chunking, and what an incremental plan contains.
@Suite struct NftPlannerTests {
    typealias F = NftFixtures

    @Test func aFullReplaceAddsDeletesAndRecreatesOnlyOurTables() throws {
        var planner = NftPlanner()
        let plan = try planner.fullReplace(NftFixtures.coverage)
        let kinds = plan.messages.map(\.kind)
        #expect(Array(kinds.prefix(3)) == ["NEWTABLE", "DELTABLE", "NEWTABLE"])
        // Chains before sets and elements (vmap elements jump to chains), rules last.
        let firstSet = try #require(kinds.firstIndex(of: "NEWSET"))
        let firstRule = try #require(kinds.firstIndex(of: "NEWRULE"))
        #expect(kinds.lastIndex(of: "NEWCHAIN")! < firstSet && firstSet < firstRule)
        #expect(plan.subjects.count == plan.messages.count)
        #expect(plan.subjects.contains("nat/outbound/rule[1]"))
        #expect(plan.subjects.contains("set inet tandem lan_hosts"))
    }

    @Test func setIDsAreUniqueAcrossNamedAndAnonymousSets() throws {
        var planner = NftPlanner()
        let plan = try planner.fullReplace(NftFixtures.coverage)
        let ids = plan.messages.compactMap { m -> UInt32? in
            if case .newSet(_, _, let def) = m { return def.id }
            return nil
        }
        #expect(Set(ids).count == ids.count && ids.count > NftFixtures.sets.count)
    }

    @Test func largeSetsAreSplitIntoBoundedMessages() throws {
        let elements: [SetElement] = (0..<3000).map { .single(.mark(UInt32($0))) }
        var planner = NftPlanner()
        let plan = try planner.fullReplace(Ruleset(tables: [Table(family: .inet, name: "t", sets: [
            NamedSet(name: "big", keyType: .mark, elements: elements)])]))
        let chunks = plan.messages.compactMap { m -> Int? in
            if case .newElements(_, _, _, _, _, let e, _) = m { return e.count }
            return nil
        }
        #expect(chunks == [1024, 1024, 952])
    }

    @Test func anIncrementalPlanForANewAliasAddressIsOneElementMessage() throws {
        let base = NftCommitterTransactionKernelTests.good
        var next = base
        next.tables[0].sets[0].elements.append(.single(F.a4("198.51.100.9")))
        var planner = NftPlanner()
        guard case .plan(let plan) = try planner.incremental(from: base, to: next) else {
            Issue.record("expected an incremental plan")
            return
        }
        #expect(plan.messages.count == 1)
        guard case .newElements(_, _, "lan_hosts", nil, false, let elements, false) = plan.messages[0] else {
            Issue.record("expected NEWSETELEM, got \(plan.messages[0])")
            return
        }
        #expect(elements == [NftSetElement(key: [198, 51, 100, 9]), NftSetElement(key: [198, 51, 100, 10], isIntervalEnd: true)])
    }

    @Test func aRedefinedChainNeedsAFullReplace() throws {
        let base = NftCommitterTransactionKernelTests.good
        var next = base
        next.tables[0].chains[0].base?.policy = .accept
        var planner = NftPlanner()
        guard case .needsFullReplace(let why) = try planner.incremental(from: base, to: next) else {
            Issue.record("a policy change cannot be incremental here")
            return
        }
        #expect(why.contains("input"))
    }
}
