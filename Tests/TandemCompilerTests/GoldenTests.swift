import Foundation
import Testing
import TandemCompiler
import TandemConfig
import TandemRuleset
import TandemTestSupport

/// Config → nft text goldens (`Goldens/<name>.xml` → `<name>.nft`), re-recorded only with
/// TANDEM_RECORD_GOLDENS=1; every golden and every corpus file's render must pass `nft -c`.
@Suite struct GoldenTests {
    @Test(arguments: GoldenFiles.names)
    func matchesGolden(_ name: String) throws {
        let xml = GoldenFiles.directory.appendingPathComponent(name + ".xml")
        let nft = GoldenFiles.directory.appendingPathComponent(name + ".nft")
        let config = try GoldenFiles.config(at: xml)
        // aliases.xml keeps an alias loop on purpose: the compiler must terminate on it, and
        // the apply tests use it as the input the validator refuses. Nothing else may fail.
        let errors = ConfigValidator.validate(config).filter {
            $0.severity == .error && !(name == "aliases" && $0.message.contains("includes itself"))
        }
        #expect(errors.isEmpty, "\(name).xml is not a valid config: \(errors)")
        let compiled = RulesetCompiler.compile(config)
        let actual = GoldenFiles.render(compiled, file: name + ".xml")
        if GoldenFiles.recording {
            try actual.write(to: nft, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: nft, encoding: .utf8)
        #expect(actual == expected, "\(name).nft differs (TANDEM_RECORD_GOLDENS=1 re-records):\n\(GoldenFiles.diff(expected: expected, actual: actual))")
    }

    @Test func compilingIsDeterministic() throws {
        for name in GoldenFiles.names {
            let config = try GoldenFiles.config(at: GoldenFiles.directory.appendingPathComponent(name + ".xml"))
            #expect(RulesetCompiler.compile(config) == RulesetCompiler.compile(config))
        }
    }

    @Test(.needsNetworkNamespaces) func goldensPassNftCheck() throws {
        let ns = try NetworkNamespace(purpose: "golden")
        defer { ns.delete() }
        #expect(GoldenFiles.names.count >= 10)
        for name in GoldenFiles.names {
            let text = try String(contentsOf: GoldenFiles.directory.appendingPathComponent(name + ".nft"), encoding: .utf8)
            let complaint = GoldenFiles.nftCheck(text, in: ns)
            #expect(complaint == nil, "\(name).nft: \(complaint ?? "")")
        }
    }

    @Test(.needsNetworkNamespaces) func corpusRendersPassNftCheck() throws {
        let corpus = GoldenFiles.corpus
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: corpus.path) else {
            print("skipped GoldenTests.corpusRendersPassNftCheck: no corpus at \(corpus.path)")
            return
        }
        let ns = try NetworkNamespace(purpose: "corpus")
        defer { ns.delete() }
        for file in files.sorted() where file.hasSuffix(".xml") {
            let config = try GoldenFiles.config(at: corpus.appendingPathComponent(file))
            let text = RulesetCompiler.compile(config).ruleset.render()
            let complaint = GoldenFiles.nftCheck(text, in: ns)
            #expect(complaint == nil, "\(file): \(complaint ?? "")")
        }
    }

    @Test(.needsNetworkNamespaces) func examplesPassNftCheck() throws {
        let examples = GoldenFiles.directory.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("etc/examples")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []).filter { $0.hasSuffix(".xml") }
        guard !files.isEmpty else {
            print("skipped GoldenTests.examplesPassNftCheck: no etc/examples/*.xml yet")
            return
        }
        let ns = try NetworkNamespace(purpose: "examples")
        defer { ns.delete() }
        for file in files.sorted() {
            let config = try GoldenFiles.config(at: examples.appendingPathComponent(file))
            let complaint = GoldenFiles.nftCheck(RulesetCompiler.compile(config).ruleset.render(), in: ns)
            #expect(complaint == nil, "\(file): \(complaint ?? "")")
        }
    }
}
