import Foundation
import Testing
import TandemConfig
import TandemManagement
@testable import TandemDaemon

/// The daemon runs what `CommitConfirm` decides: an expired deadline commits the previous
/// revision again and reloads it; a confirm keeps the new one; the deadline survives a
/// restart. Real config files under a temporary root, fake links and CARP I/O.
@Suite("NodeDaemon commit-confirm")
struct CommitConfirmDaemonTests {
    let link = FakeLink(devices: ["wan0", "lan0", "sync0"])
    let io = FakePacketIO()

    /// A root whose history holds revision 1 (the reference primary) and revision 2 (the
    /// same with hostname `renamedfw` and WAN advskew 100), the current config.
    func root() throws -> (NodePaths, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-confirm-\(UInt32.random(in: 0...UInt32.max))")
        let paths = NodePaths(root: dir.path)
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("etc/examples/primaryfw.xml")
        let store = ConfigStore(paths: paths)
        let base = try ConfigDocument(bytes: ConfigFileReader.read(example.path))
        try store.commit(base, user: "root", description: "tandem apply primaryfw.xml", time: 1)
        var changed = base
        changed.edit { root in root.setValue("renamedfw", at: "system/hostname") }
        try store.commit(changed, user: "root", description: "tandem apply renamed.xml", time: 2)
        return (paths, dir)
    }

    func daemon(_ paths: NodePaths) -> NodeDaemon {
        NodeDaemon(paths: paths, dependencies: .init(config: FileConfigSource(paths: paths), link: link,
                                                     makePacketIO: { [io] _ in io }), logger: Scenario.logger)
    }

    func arm(_ d: NodeDaemon, seconds: Double) async -> ControlResponse {
        await d.handle(ControlRequest(command: .armConfirm, seconds: seconds, revision: 1, applied: 2, user: "root"))
    }

    @Test func anExpiredDeadlineRestoresThePreviousRevision() async throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = daemon(paths)
        try await d.start()
        #expect(await d.status().node.hostname == "renamedfw")
        let armed = await arm(d, seconds: 0.3)
        #expect(armed.ok, "\(armed)")
        #expect(await d.status().commitConfirm?.pending?.restore == 1)
        #expect(FileManager.default.fileExists(atPath: paths.commitConfirm))
        await d.commitConfirmTick()
        #expect(try ConfigStore(paths: paths).newestRevision() == 2, "restored before the deadline")
        try await Task.sleep(for: .milliseconds(400))
        await d.commitConfirmTick()
        let history = try RevisionHistory(paths: paths).entries()
        #expect(history.first?.number == 3)
        #expect(history.first?.description == "Commit-confirm expired: restored revision 1")
        #expect(history.first?.changes?.summary == "system: ~hostname")
        let status = await d.status()
        #expect(status.node.hostname == "primaryfw", "the restored config is running")
        #expect(status.commitConfirm?.pending == nil)
        #expect(status.commitConfirm?.lastExpiry?.revision == 3)
        #expect(status.text().contains("last commit-confirm expiry: "))
        #expect(status.text().contains("restored revision 1 as revision 3"))
        // Nothing pending any more.
        #expect(await d.handle(ControlRequest(command: .confirm)).error == "nothing to confirm: no apply --confirm is pending")
    }

    @Test func aConfirmKeepsTheNewRevision() async throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = daemon(paths)
        try await d.start()
        #expect(await arm(d, seconds: 0.2).ok)
        #expect(await d.status().text().contains("commit-confirm PENDING: revision 2 restores revision 1 at "))
        let confirmed = await d.handle(ControlRequest(command: .confirm))
        #expect(confirmed.ok)
        #expect(confirmed.message?.hasPrefix("revision 2 confirmed") == true)
        try await Task.sleep(for: .milliseconds(300))
        await d.commitConfirmTick()
        #expect(try ConfigStore(paths: paths).newestRevision() == 2)
        #expect(await d.status().node.hostname == "renamedfw")
    }

    /// The deadline is on disk: a daemon started after it passed restores at its first tick.
    @Test func aRestartedDaemonKeepsTheDeadline() async throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = daemon(paths)
        try await first.start()
        #expect(await arm(first, seconds: 0.1).ok)
        try await Task.sleep(for: .milliseconds(200))
        let second = daemon(paths)
        try await second.start()
        #expect(await second.status().commitConfirm?.pending?.applied == 2)
        await second.commitConfirmTick()
        #expect(try ConfigStore(paths: paths).newestRevision() == 3)
        #expect(await second.status().node.hostname == "primaryfw")
    }

    /// A small `backupcount` and more commits before the deadline do not prune the
    /// revision to restore: it is pinned while the deadline is pending.
    @Test func theRestorePointIsKeptFromPruning() async throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ConfigStore(paths: paths)
        var current = try store.load()
        current.edit { root in root.setValue("2", at: "system/backupcount") }
        try store.commit(current, user: "root", description: "backupcount 2", time: 3)   // revision 3
        let d = daemon(paths)
        try await d.start()
        #expect(try store.history().map(\.number) == [3, 2])
        let armed = await d.handle(ControlRequest(command: .armConfirm, seconds: 0.2, revision: 2, applied: 3))
        #expect(armed.ok)
        #expect(try store.pinnedRevisions() == [2])
        try store.commit(current, user: "root", description: "another", time: 4)          // revision 4
        #expect(try store.history().map(\.number) == [4, 3, 2], "revision 2 pinned")
        try await Task.sleep(for: .milliseconds(300))
        await d.commitConfirmTick()
        #expect(try store.history().first?.description == "Commit-confirm expired: restored revision 2")
        #expect(try store.load().xml.root.descendant("system/backupcount") == nil)
        #expect(try store.pinnedRevisions() == [])
    }

    @Test func armingIsValidated() {
        #expect(throws: ControlRequestError.self) { try ControlRequest(command: .armConfirm, seconds: 0, revision: 1, applied: 2).validated() }
        #expect(throws: ControlRequestError.self) { try ControlRequest(command: .armConfirm, seconds: 5, applied: 2).validated() }
        #expect(throws: ControlRequestError.self) { try ControlRequest(command: .confirm, seconds: 5).validated() }
        #expect(throws: Never.self) { try ControlRequest(command: .armConfirm, seconds: 5, revision: 1, applied: 2).validated() }
    }

    /// The dashboard's rollback: a missing revision is a failure, nothing written.
    @Test func rollbackOfAMissingRevisionFails() async throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = daemon(paths)
        try await d.start()
        #expect(await d.rollback(to: 7, user: "admin") == .failed("revision 7 is not in the history"))
        #expect(try ConfigStore(paths: paths).newestRevision() == 2)
        #expect(await d.rollback(to: 1, user: "admin") == .committed(revision: 3, applied: "reloaded"))
        #expect(try await d.revisions(limit: 1).first?.description == "Rolled back to revision 1")
    }
}
