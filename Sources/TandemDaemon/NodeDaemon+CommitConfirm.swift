import Foundation
import Logging
import TandemConfig
import ServiceLifecycle
import TandemManagement

/// The daemon's side of `tandem apply --confirm`: it runs what `CommitConfirm` decides.
/// The restore is the daemon's, not the CLI's, so it happens when the new rules cut off the
/// shell that ran the apply.
extension NodeDaemon {
    /// The clock's turn (`CommitConfirmService` calls it a few times a second).
    func commitConfirmTick() async {
        _ = await commitConfirmStep(.tick)
    }

    /// Keeps a pending restore point in the history whatever its `backupcount`.
    func pinRestorePoint() {
        let wanted: Set<Int> = commitConfirm.pending.map { [$0.restore] } ?? []
        do { try ConfigStore(paths: paths).pin(wanted) } catch {
            logger.error("commit-confirm: could not keep revision \(wanted.sorted()) from pruning: \(error)")
        }
    }

    /// Feeds one event to the value and runs its actions; the reply, when the event is a
    /// request.
    func commitConfirmStep(_ event: CommitConfirm.Event) async -> ControlResponse? {
        var reply: ControlResponse?
        var next: CommitConfirm.Event? = event
        while let event = next {
            next = nil
            var persistError: String?
            for action in commitConfirm.handle(event, now: Date().timeIntervalSince1970) {
                switch action {
                case .persist:
                    pinRestorePoint()
                    do { try commitConfirm.save(paths) } catch {
                        persistError = "\(error)"
                        logger.error("commit-confirm: could not record \(paths.commitConfirm): \(error)")
                    }
                case .log(let message):
                    if case .tick = event { logger.warning("\(message)") } else { logger.notice("\(message)") }
                case .reply(let ok, let message):
                    let note = persistError.map { " (warning: not recorded on disk, a restart forgets it: \($0))" } ?? ""
                    reply = ok ? ControlResponse(ok: true, message: message + note) : .failure(message)
                case .restore(let revision, let description):
                    switch await rollback(to: revision, user: "tandem@localhost", description: description) {
                    case .committed(let new, let applied):
                        logger.notice("commit-confirm: revision \(new) applied: \(applied)")
                        next = .restored(revision: new, error: nil)
                    case .refused(let errors):
                        next = .restored(revision: nil, error: errors.joined(separator: "; "))
                    case .failed(let why):
                        next = .restored(revision: nil, error: why)
                    }
                }
            }
        }
        return reply
    }
}

/// Ticks the daemon's commit-confirm timer (4 times a second: a deadline is met within
/// 250 ms) until the daemon shuts down.
struct CommitConfirmService: Service {
    let daemon: NodeDaemon

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await daemon.commitConfirmTick()
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
