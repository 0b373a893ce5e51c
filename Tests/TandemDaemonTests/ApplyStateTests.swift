import Foundation
import Testing
import TandemConfig
import TandemNetlink
@testable import TandemDaemon

/// The applied state `tandem apply` leaves for the next apply and the daemon: generation,
/// version, config and the rules' kernel handles, which count only for their generation.
@Suite("ApplyState")
struct ApplyStateTests {
    func paths() -> (NodePaths, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-state-\(UInt32.random(in: 0...UInt32.max))")
        return (NodePaths(root: dir.path), dir)
    }

    static let handles = NftRuleHandles(chains: [.init(.inet, table: "tandem", chain: "input"): [4, 9, 12],
                                                 .init(.inet, table: "tandem", chain: "if_lan"): []])

    @Test func handlesAreKeptWithTheirGeneration() throws {
        let (paths, dir) = paths()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = ApplyState(generation: 7, version: "0.1.0", config: Array("<pfsense/>".utf8), handles: Self.handles)
        try state.save(paths)
        #expect(ApplyState.load(paths) == state)
    }

    @Test func handlesOfAnotherGenerationAreNotUsed() throws {
        let (paths, dir) = paths()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ApplyState(generation: 7, version: "0.1.0", config: Array("<pfsense/>".utf8), handles: Self.handles).save(paths)
        // A later save without handles (an apply that could not follow them) must not
        // leave the old ones looking current.
        try ApplyState(generation: 8, version: "0.1.0", config: Array("<pfsense/>".utf8)).save(paths)
        let loaded = try #require(ApplyState.load(paths))
        #expect(loaded.generation == 8 && loaded.handles == nil)
    }

    @Test func theIndexIsKeptWithItsGenerationAndADamagedStateIsNoState() throws {
        let (paths, dir) = paths()
        defer { try? FileManager.default.removeItem(at: dir) }
        let items = AppliedItems(filter: [10..<20, 20..<35], aliases: [40..<50], unstamped: .init(window: 60..<60, original: [32]),
                                 chainItems: [.init(.inet, table: "tandem", chain: "input"): [0, 1, 2]])
        let state = ApplyState(generation: 9, version: "0.1.0", config: Array("<pfsense/>".utf8), handles: Self.handles,
                               items: items)
        try state.save(paths)
        #expect(ApplyState.load(paths) == state)
        let file = dir.appendingPathComponent("var/lib/tandem/ruleset/applied.state").path
        let bytes = try ConfigFileReader.read(file, limit: .max - 1)
        // Cut anywhere: no state, or a state without index (the next apply is a full one).
        for n in [0, 3, 8, 12, bytes.count / 2, bytes.count - 1] {
            try AtomicFile.write(Array(bytes.prefix(n)), to: file, durable: false)
            let loaded = ApplyState.load(paths)
            #expect(loaded == nil || (loaded?.handles == nil && loaded?.items == nil), "cut at \(n)")
        }
        // The text state of an earlier version is no state.
        try AtomicFile.write(Array("generation=9\nversion=0.1.0\nhandles=9\n".utf8), to: file, durable: false)
        #expect(ApplyState.load(paths) == nil)
    }
}
