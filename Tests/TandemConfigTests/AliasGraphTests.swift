import Testing
@testable import TandemConfig

/// Nested aliases: cycles, depth and size limits, found without recursion.
@Suite struct AliasGraphTests {
    /// `a0` includes `a1`, which includes `a2`, … each with one address of its own.
    static func chain(_ length: Int, closing: Bool = false) -> [Alias] {
        (0..<length).map { i in
            var entries: [AliasEntry] = [.network(.init("192.0.2.\(i % 250)/32")!)]
            if i + 1 < length { entries.append(.alias("a\(i + 1)")) } else if closing { entries.append(.alias("a0")) }
            return Alias(name: "a\(i)", kind: .network, entries: entries,
                         location: SourceLocation(path: "aliases/alias[\(i + 1)]"))
        }
    }

    @Test func aHundredThousandLongChainIsWalkedWithoutRecursion() {
        let clock = ContinuousClock()
        let started = clock.now
        let graph = AliasGraph(Self.chain(100_000))
        #expect(graph.depth["a0"] == 100_000)
        #expect(graph.depth["a99999"] == 1)
        #expect(graph.flattenedEntries["a0"] == 100_000)
        #expect(graph.roots == ["a0"])
        #expect(graph.order.first == "a99999" && graph.order.last == "a0")
        #expect(graph.cycles.isEmpty)
        // Linear work takes about a second; a quadratic walk of 100,000 aliases would take
        // minutes. The bound is loose so that a loaded machine running tests in parallel passes.
        #expect(clock.now - started < .seconds(60))
    }

    @Test func aHundredThousandLongChainIsOneValidationError() throws {
        var config = Config()
        config.aliases = Self.chain(100_000)
        let clock = ContinuousClock()
        let started = clock.now
        let errors = ConfigValidator.validate(config).filter { $0.severity == .error }
        #expect(errors.map(\.description) == [
            "config.xml: aliases/alias[1]/address: alias 'a0' nests aliases 100000 levels deep; at most 32 are allowed",
        ])
        // Linear work takes about a second; a quadratic walk of 100,000 aliases would take
        // minutes. The bound is loose so that a loaded machine running tests in parallel passes.
        #expect(clock.now - started < .seconds(60))
    }

    @Test func aLongCycleIsReportedOnceWithAShortPath() {
        var config = Config()
        config.aliases = Self.chain(100_000, closing: true)
        let errors = ConfigValidator.validate(config).filter { $0.severity == .error }
        #expect(errors.map(\.message) == [
            "alias 'a0' includes itself: a0 -> a1 -> a2 -> a3 -> … 99994 more … -> a99998 -> a99999 -> a0",
        ])
    }

    @Test func thirtyTwoLevelsAreAllowedAndThirtyThreeAreNot() throws {
        for (length, errors) in [(32, 0), (33, 1)] {
            var config = Config()
            config.aliases = Self.chain(length)
            #expect(ConfigValidator.validate(config).filter { $0.severity == .error }.count == errors, "\(length)")
        }
    }

    @Test func aliasesFlatteningPastTheCapAreRefused() {
        // One alias of 1,000 addresses included by 2,001 others: 2,001,000 flattened entries.
        let big = Alias(name: "big", kind: .network,
                        entries: (0..<1000).map { .network(.init("198.51.100.\($0 % 250)/32")!) },
                        location: SourceLocation(path: "aliases/alias[1]"))
        var config = Config()
        config.aliases = [big] + (0..<2001).map { i in
            Alias(name: "user\(i)", kind: .network, entries: [.alias("big")], location: SourceLocation(path: "aliases/alias[\(i + 2)]"))
        }
        let errors = ConfigValidator.validate(config).filter { $0.severity == .error }
        #expect(errors.map(\.description) == [
            "config.xml: aliases/alias[2001]/address: the aliases up to 'user1999' flatten to more than 2000000 entries in all",
        ])
    }

    @Test func nestingThroughPortAliasesCounts() {
        let a = Alias(name: "p1", kind: .port, entries: [.port(.alias("p2"))], location: SourceLocation(path: "aliases/alias[1]"))
        let b = Alias(name: "p2", kind: .port, entries: [.port(.port(22)), .port(.alias("p1"))],
                      location: SourceLocation(path: "aliases/alias[2]"))
        let graph = AliasGraph([a, b])
        #expect(graph.cycles == [["p1", "p2", "p1"]])
    }
}
