import Foundation
import Testing
import TandemCompiler
import TandemConfig
import TandemNetlink
import TandemRuleset
import TandemTestSupport

/// For every compiler golden (`TandemCompilerTests/Goldens/<name>.xml` → `<name>.nft`):
/// the compiled Ruleset committed through netlink in one namespace and the golden text
/// loaded with `nft -f` in another leave identical `nft list table` output.
@Suite("NftCommitter vs compiler goldens (kernel)", .serialized)
struct NftGoldenKernelTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TandemCompilerTests/Goldens")

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }.sorted()
    }

    @Test func thereAreGoldens() {
        #expect(Self.names.count >= 10)
    }

    @Test(.needsNetworkNamespaces, arguments: names)
    func goldenCommitsLikeItsText(_ name: String) throws {
        let xml = try Data(contentsOf: Self.directory.appendingPathComponent("\(name).xml"))
        let text = try String(contentsOf: Self.directory.appendingPathComponent("\(name).nft"), encoding: .utf8)
        let ruleset = RulesetCompiler.compile(try ConfigDocument(bytes: Array(xml)).config).ruleset
        #expect(!ruleset.tables.isEmpty)
        let ns = try NetworkNamespace(purpose: "nft-golden")
        defer { ns.delete() }
        _ = try NftKernel.commit(ns, CommitRequest(ruleset: ruleset))
        for table in ruleset.tables {
            let id = "\(table.family.rawValue) \(table.name)"
            let ours = try NftKernel.list(ns, id)
            let reference = try NftKernel.reference(text, table: id)
            #expect(ours == reference, "\(name): \(id)")
            if ours != reference {
                for (x, y) in zip(ours.split(separator: "\n"), reference.split(separator: "\n")) where x != y {
                    print("\(name): netlink: \(x)\n\(name): nft -f:  \(y)")
                }
            }
        }
    }
}
