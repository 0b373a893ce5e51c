import Foundation
import Testing
import TandemCompiler
import TandemConfig

/// Per corpus file (`Tests/Corpus/<name>.xml`), exactly the errors and warnings `tandem
/// check` prints, left-out pass rules included, as in `<name>.expected` (re-recorded only
/// with TANDEM_RECORD_GOLDENS=1). Files that are genuinely broken keep their errors there.
@Suite struct CorpusExpectedTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Corpus")

    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted()

    @Test(arguments: files)
    func diagnosticsAreTheExpectedOnes(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        let actual = ConfigCheck(bytes: bytes).withLeftOutRules().diagnostics
            .map { $0.formatted(file: name) + "\n" }.joined()
        let expectedURL = Self.directory.appendingPathComponent(String(name.dropLast(4)) + ".expected")
        if GoldenFiles.recording {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "\(name) (TANDEM_RECORD_GOLDENS=1 re-records):\n\(GoldenFiles.diff(expected: expected, actual: actual))")
    }
}
