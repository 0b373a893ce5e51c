import Foundation
import TandemConfig

/// The shared corpus of real config.xml files (kept next to the repository, not in it).
enum Corpus {
    static let directory: URL? = {
        if let env = ProcessInfo.processInfo.environment["TANDEM_CORPUS"] { return URL(fileURLWithPath: env) }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var parent = package.deletingLastPathComponent()
        for _ in 0..<2 {
            let dir = parent.appendingPathComponent("shared/corpus")
            if FileManager.default.fileExists(atPath: dir.path) { return dir }
            parent = parent.deletingLastPathComponent()
        }
        print("TandemConfigSyncTests: corpus tests skipped, no corpus at \(package.deletingLastPathComponent().path)/shared/corpus")
        return nil
    }()

    static let files: [String] = {
        guard let directory else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".xml") }.sorted()
    }()

    static func document(_ name: String) throws -> ConfigDocument {
        try ConfigDocument(bytes: Array(Data(contentsOf: directory!.appendingPathComponent(name))))
    }
}
