import Foundation
import TandemCompiler
import TandemConfig
import TandemRuleset
import TandemTestSupport

/// Where the golden files and the shared corpus live, found from this source file so that
/// re-recording writes into the repository, not into a build directory.
enum GoldenFiles {
    static let directory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Goldens")
    /// The real configs of `Tests/Corpus`.
    static let corpus: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Corpus")

    static var recording: Bool { ProcessInfo.processInfo.environment["TANDEM_RECORD_GOLDENS"] == "1" }

    /// Golden case names: every `<name>.xml` in Goldens/.
    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }.sorted()
    }

    static func config(at url: URL) throws -> Config {
        try ConfigDocument(bytes: Array(Data(contentsOf: url))).config
    }

    /// The text a golden `.nft` holds: warnings as comments first, then the ruleset.
    static func render(_ compilation: RulesetCompilation, file: String) -> String {
        var text = ""
        for d in compilation.diagnostics { text += "# " + d.formatted(file: file) + "\n" }
        return text + compilation.ruleset.render()
    }

    /// A line diff good enough to see what changed.
    static func diff(expected: String, actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(e.count, a.count) {
            let x = i < e.count ? String(e[i]) : "<none>"
            let y = i < a.count ? String(a[i]) : "<none>"
            if x != y { out.append("line \(i + 1):\n- \(x)\n+ \(y)") }
            if out.count >= 20 { break }
        }
        return out.joined(separator: "\n")
    }

    /// `nft -c -f` of a text inside a throwaway namespace; returns nft's complaint or nil.
    static func nftCheck(_ text: String, in namespace: NetworkNamespace) -> String? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-check-\(UUID()).nft").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try namespace.exec(["nft", "-c", "-f", path])
            return nil
        } catch {
            return "\(error)"
        }
    }
}
