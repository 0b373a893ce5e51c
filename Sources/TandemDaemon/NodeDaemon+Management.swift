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

    public nonisolated func runningDocument() async throws -> ConfigDocument {
        let store = ConfigStore(paths: paths)
        return try await work.run { try store.load() }
    }

    public func commitReceived(_ document: ConfigDocument, user: String, description: String) async -> CommitOutcome {
        let store = ConfigStore(paths: paths)
        // Either the written revision or why there is none.
        let written: (revision: RevisionInfo?, refusal: CommitOutcome?) = await work.run {
            let check = ConfigCheck(bytes: Array(document.serialized().utf8))
            guard check.isValid else {
                return (nil, .refused(check.errors.map { $0.formatted(file: "config.xml") }))
            }
            do {
                return (try store.commit(document, user: user, description: description,
                                         time: Date().timeIntervalSince1970), nil)
            } catch {
                return (nil, .failed("writing the revision: \(error)"))
            }
        }
        guard let revision = written.revision else { return written.refusal ?? .failed("no revision written") }
        switch await reload() {
        case .success(let message):
            return .committed(revision: revision.number, applied: message)
        case .failure(let error):
            return .failed("revision \(revision.number) written, applying it failed: \(error)")
        }
    }

    public nonisolated func revisions(limit: Int?) async throws -> [RevisionEntry] {
        let history = RevisionHistory(paths: paths)
        return try await work.run { try history.entries(limit: limit) }
    }

    public func rollback(to revision: Int, user: String, description: String? = nil) async -> CommitOutcome {
        let history = RevisionHistory(paths: paths)
        let written: Result<RevisionInfo, RollbackError> = await work.run {
            Result { () throws(RollbackError) in
                try history.rollback(to: revision, user: user, time: Date().timeIntervalSince1970, description: description)
            }
        }
        let info: RevisionInfo
        switch written {
        case .success(let i): info = i
        case .failure(.invalid(_, let errors)): return .refused(errors)
        case .failure(let error): return .failed("\(error)")
        }
        logger.notice("revision \(info.number): \(info.description ?? "") (by \(user))")
        switch await reload() {
        case .success(let message):
            return .committed(revision: info.number, applied: message)
        case .failure(let error):
            return .failed("revision \(info.number) written, applying it failed: \(error)")
        }
    }
}
