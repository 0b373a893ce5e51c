import Foundation
import Testing
@testable import TandemConfig

/// Every real config.xml of the shared corpus (kept outside the repository, next to it)
/// parses, validates without errors and round-trips.
@Suite struct CorpusTests {
    static let directory: URL? = {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        if let env = ProcessInfo.processInfo.environment["TANDEM_CORPUS"] { return URL(fileURLWithPath: env) }
        // `<package>/../shared/corpus`, also from a checkout nested one level deeper.
        var parent = package.deletingLastPathComponent()
        for _ in 0..<2 {
            let dir = parent.appendingPathComponent("shared/corpus")
            if FileManager.default.fileExists(atPath: dir.path) { return dir }
            parent = parent.deletingLastPathComponent()
        }
        print("CorpusTests: skipped, no corpus at \(package.deletingLastPathComponent().path)/shared/corpus")
        return nil
    }()

    static let files: [String] = {
        guard let directory else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".xml") }.sorted()
    }()

    @Test(arguments: files)
    func parsesAndRoundTrips(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory!.appendingPathComponent(name))
        let doc = try ConfigDocument(bytes: Array(data))
        let errors = ConfigValidator.validate(doc.config).filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(name): \(errors.map { $0.formatted(file: name) }.joined(separator: "\n"))")
        let written = doc.serialized()
        #expect(written == String(decoding: data, as: UTF8.self), "\(name) did not round-trip byte for byte")
        let again = try ConfigDocument(text: written)
        #expect(again.config == doc.config)
    }

    /// An edit re-lays out only what it touches: every other top-level section, known or
    /// unknown (packages, OPNsense MVC subtrees), is written back byte for byte.
    @Test(arguments: files)
    func editsLeaveOtherSectionsByteIdentical(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory!.appendingPathComponent(name))
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
