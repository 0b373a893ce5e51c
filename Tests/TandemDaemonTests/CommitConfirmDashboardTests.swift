import Foundation
import Testing
import TandemConfig
import TandemManagement
@testable import TandemDaemon

/// The dashboard's view of commit-confirm: the snapshot carries the pending deadline and the
/// last expiry, and its Confirm button goes through the same request as `tandem confirm`.
extension CommitConfirmDaemonTests {
    @Test func theDashboardShowsAndConfirmsAPendingApply() async throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = daemon(paths)
        try await d.start()
        #expect(await d.dashboardSnapshot().pendingConfirm == nil)
        #expect(await d.confirmCommit(user: "admin@192.0.2.100 (dashboard)").ok == false)
        #expect(await arm(d, seconds: 60).ok)
        let pending = try #require(await d.dashboardSnapshot().pendingConfirm)
        #expect(pending.restore == 1 && pending.applied == 2 && !pending.restoring)
        let confirmed = await d.confirmCommit(user: "admin@192.0.2.100 (dashboard)")
        #expect(confirmed.ok && confirmed.message.hasPrefix("revision 2 confirmed"), "\(confirmed)")
        #expect(await d.dashboardSnapshot().pendingConfirm == nil)
        #expect(await d.status().commitConfirm?.pending == nil)
        #expect(try ConfigStore(paths: paths).newestRevision() == 2)
    }

    @Test func theDashboardShowsTheLastExpiry() async throws {
        let (paths, dir) = try root()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = daemon(paths)
        try await d.start()
        #expect(await arm(d, seconds: 0.1).ok)
        try await Task.sleep(for: .milliseconds(200))
        await d.commitConfirmTick()
        let snapshot = await d.dashboardSnapshot()
        #expect(snapshot.pendingConfirm == nil)
        #expect(snapshot.lastConfirmExpiry?.restored == 1 && snapshot.lastConfirmExpiry?.revision == 3)
    }
}
