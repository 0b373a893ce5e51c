import Foundation
import Testing
@testable import TandemConfig

/// Every real config.xml of the corpus (`Tests/Corpus`, provenance in its MANIFEST.md)
/// parses and round-trips byte for byte; the exact diagnostics `tandem check` gives each
/// file are asserted by `CorpusExpectedTests` (TandemCompilerTests).
@Suite struct CorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Corpus")

    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted()

    @Test func thereIsACorpus() {
        #expect(Self.files.count >= 19)
    }

    @Test(arguments: files)
    func parsesAndRoundTrips(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        let doc = try ConfigDocument(bytes: Array(data))
        let written = doc.serialized()
        #expect(written == String(decoding: data, as: UTF8.self), "\(name) did not round-trip byte for byte")
        let again = try ConfigDocument(text: written)
        #expect(again.config == doc.config)
    }

    /// An edit re-lays out only what it touches: every other top-level section, known or
    /// unknown (packages, OPNsense MVC subtrees), is written back byte for byte.
    @Test(arguments: files)
    func editsLeaveOtherSectionsByteIdentical(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        var doc = try ConfigDocument(bytes: Array(data))
        let before = doc.xml.root.elements.filter { $0.name != "revision" }.map(XMLWriter.write)
        doc.edit { root in
            root.setFlag(true, at: "virtualip_carp_maintenancemode")
            root.setRevision(time: 1764151300, description: "Enabled CARP maintenance mode", username: "admin")
        }
        #expect(doc.config.carpMaintenanceMode)
        let after = doc.xml.root.elements.filter { $0.name != "revision" && $0.name != "virtualip_carp_maintenancemode" }
            .map(XMLWriter.write)
        #expect(after == before)
        let reparsed = try ConfigDocument(text: doc.serialized())
        #expect(reparsed.config == doc.config)
    }
}
