#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TandemConfig

/// The config at `ROOT/etc/tandem/config.xml`: read, parsed and validated on every load; the
/// maintenance flag written back into the same file, keeping everything else byte for byte.
public struct FileConfigSource: ConfigSource {
    public let path: String
    private let store: ConfigStore

    public init(paths: NodePaths) {
        path = paths.config
        store = ConfigStore(paths: paths)
    }

    /// A config that does not validate; the diagnostics as `tandem check` prints them.
    public struct Invalid: Error, CustomStringConvertible {
        public var diagnostics: [String]
        public var description: String { diagnostics.joined(separator: "\n") }
    }

    public func load() throws -> Config {
        try document().config
    }

    private func document() throws -> ConfigDocument {
        let bytes = try ConfigFileReader.read(path)
        let check = ConfigCheck(bytes: bytes)
        let file = (path as NSString).lastPathComponent
        guard check.isValid, let document = check.document else {
            throw Invalid(diagnostics: check.errors.map { $0.formatted(file: file) })
        }
        return document
    }

    /// Sets or clears the flag through the config store: an atomic write and a new revision
    /// in the history, as any other change of config.xml.
    public func setCarpMaintenance(_ on: Bool) throws {
        var doc = try document()
        guard doc.config.carpMaintenanceMode != on else { return }
        doc.edit { root in root.setFlag(on, at: "virtualip_carp_maintenancemode") }
        try store.commit(doc, user: "tandem@localhost", description: "CARP maintenance mode \(on ? "on" : "off")",
                         time: Date().timeIntervalSince1970)
    }
}
