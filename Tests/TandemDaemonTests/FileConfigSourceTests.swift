import Foundation
import Testing
import TandemConfig
@testable import TandemDaemon

@Suite("FileConfigSource")
struct FileConfigSourceTests {
    /// A node root holding the reference primary's config.
    func root() throws -> (NodePaths, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cfg-\(UInt32.random(in: 0...UInt32.max))")
        let paths = NodePaths(root: dir.path)
        try FileManager.default.createDirectory(atPath: paths.configDirectory, withIntermediateDirectories: true)
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("etc/examples/primaryfw.xml")
        try FileManager.default.copyItem(atPath: example.path, toPath: paths.config)
        return (paths, dir)
    }

    @Test func loadsTheReferencePrimary() throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try FileConfigSource(paths: paths).load()
        let plan = try NodePlan(config: config)
        #expect(plan.hostname == "primaryfw")
        #expect(plan.carpGroups.map(\.key.description) == ["143@wan0", "1@lan0"])
    }

    @Test func maintenanceIsWrittenAsARevisionAndReadBack() throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = FileConfigSource(paths: paths)
        let before = try String(contentsOfFile: paths.config, encoding: .utf8)
        try source.setCarpMaintenance(true)
        #expect(try source.load().carpMaintenanceMode)
        #expect(try String(contentsOfFile: paths.config, encoding: .utf8).contains("virtualip_carp_maintenancemode"))
        #expect(try ConfigStore(paths: paths).history().first?.description == "CARP maintenance mode on")
        try source.setCarpMaintenance(false)
        #expect(try !source.load().carpMaintenanceMode)
        let after = try String(contentsOfFile: paths.config, encoding: .utf8)
        #expect(!after.contains("virtualip_carp_maintenancemode"))
        // Everything but the revision stamp is as it was.
        #expect(after.split(separator: "\n").count == before.split(separator: "\n").count)
    }

    @Test func anInvalidConfigIsRefusedWithItsDiagnostics() throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOfFile: paths.config, encoding: .utf8)
        try text.replacingOccurrences(of: "<vhid>143</vhid>", with: "<vhid>300</vhid>")
            .write(toFile: paths.config, atomically: true, encoding: .utf8)
        #expect { try FileConfigSource(paths: paths).load() } throws: { "\($0)".contains("config.xml:") }
    }
}
