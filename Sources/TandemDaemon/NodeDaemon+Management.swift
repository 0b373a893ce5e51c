import Foundation
import TandemConfig
import TandemManagement

/// The node as the management endpoint sees it. A config pushed by the peer is committed
/// here and nowhere else: validated as `tandem check` validates, written as one revision
/// of the config store, then applied by the same reload as SIGHUP or `tandem reload`
/// (STYLE.md §15: one door for committing a config).
extension NodeDaemon: ManagementNode {
    public func runningSystem() async -> SystemConfig? {
        runningConfig?.system
    }

    public func runningDocument() async throws -> ConfigDocument {
        try ConfigStore(paths: paths).load()
    }

    public func commitReceived(_ document: ConfigDocument, user: String, description: String) async -> CommitOutcome {
        let bytes = Array(document.serialized().utf8)
        let check = ConfigCheck(bytes: bytes)
        guard check.isValid else {
            return .refused(check.errors.map { $0.formatted(file: "config.xml") })
        }
        let revision: RevisionInfo
        do {
            revision = try ConfigStore(paths: paths).commit(document, user: user, description: description,
                                                            time: Date().timeIntervalSince1970)
        } catch {
            return .failed("writing the revision: \(error)")
        }
        switch await reload() {
        case .success(let message):
            return .committed(revision: revision.number, applied: message)
        case .failure(let error):
            return .failed("revision \(revision.number) written, applying it failed: \(error)")
        }
    }
}
