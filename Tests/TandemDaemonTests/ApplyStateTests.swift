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
}
