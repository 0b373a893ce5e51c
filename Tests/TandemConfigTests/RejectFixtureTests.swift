import Foundation
import Testing
@testable import TandemConfig

/// Every config in `Fixtures/reject/` must be rejected with exactly the diagnostics in the
/// `.expected` file beside it (pfctl's `pfailN.in` pattern, STYLE.md §9).
@Suite struct RejectFixtureTests {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/reject")

    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted()

    @Test func thereAreFixtures() {
        #expect(Self.names.count >= 20)
    }

    @Test(arguments: names)
    func isRejectedWithTheExpectedMessages(_ name: String) throws {
        let bytes = try ConfigFileReader.read(Self.directory.appendingPathComponent(name).path)
        let check = ConfigCheck(bytes: bytes)
        #expect(!check.isValid)
        let expectedURL = Self.directory.appendingPathComponent(String(name.dropLast(4)) + ".expected")
        let expected = try String(contentsOf: expectedURL, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(check.diagnostics.map { $0.formatted(file: name) } == expected)
    }
}
