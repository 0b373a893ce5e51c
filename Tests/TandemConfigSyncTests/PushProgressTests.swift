import Foundation
import Testing
import TandemConfig
import TandemConfigSync
import TandemConfigSyncClient

/// What `tandem apply` reads from the last-push record while it waits for the daemon's push
/// of the revision it committed.
@Suite struct PushProgressTests {
    /// A revision time as commits stamp it: unix time with a fraction.
    static let committed = 1_765_140_000.123456

    static func record(_ time: Double?, result: String = "pushed", error: String? = nil) -> [String: String] {
        var fields = ["target": "https://203.0.113.2:443/xmlrpc.php", "sections": "virtualip,filter", "result": result]
        if let time { fields["revision-time"] = "\(time)" }
        if let error { fields["error"] = error }
        return fields
    }

    @Test func noRecordOrAnOlderRevisionIsWaitedFor() {
        #expect(PushProgress.of(revisionTime: Self.committed, record: [:]) == .waiting)
        #expect(PushProgress.of(revisionTime: Self.committed, record: Self.record(nil)) == .waiting)
        // The previous commit's push, finishing while this one is being reloaded.
        #expect(PushProgress.of(revisionTime: Self.committed, record: Self.record(Self.committed - 0.4)) == .waiting)
        #expect(PushProgress.of(revisionTime: Self.committed, record: Self.record(Self.committed, result: "pending")) == .waiting)
    }

    @Test func thisRevisionsPushIsReportedPerSection() {
        let progress = PushProgress.of(revisionTime: Self.committed, record: Self.record(Self.committed))
        #expect(progress.succeeded)
        #expect(progress.lines == ["config pushed to https://203.0.113.2:443/xmlrpc.php",
                                   "  virtualip: pushed", "  filter: pushed"])
    }

    @Test func aNewerRevisionsPushCarriesThisOne() {
        let progress = PushProgress.of(revisionTime: Self.committed, record: Self.record(Self.committed + 0.2))
        #expect(progress.lines.first == "config pushed to https://203.0.113.2:443/xmlrpc.php (with a newer revision)")
    }

    @Test func aFailedPushIsReportedWithItsError() {
        let progress = PushProgress.of(revisionTime: Self.committed,
                                       record: Self.record(Self.committed, result: "failed", error: "connection refused"))
        #expect(!progress.succeeded)
        #expect(progress.lines == ["push failed: connection refused"])
    }

    /// The daemon records the revision time as the config holds it; apply compares it with
    /// the time it stamped: the two must read back equal, fraction and all.
    @Test func theRecordKeepsTheRevisionTimeExactly() throws {
        let paths = NodePaths(root: FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-pushprogress-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(atPath: paths.root) }
        let record = SyncPushRecord(paths: paths)
        var outcome = SyncPushOutcome(target: "https://203.0.113.2:443/xmlrpc.php", sections: ["filter"])
        outcome.result = .pushed
        let bare = try ConfigDocument(bytes: Array("<pfsense><version>23.3</version></pfsense>".utf8))
        let stamped = ConfigStore.stamped(bare, user: "root", description: "tandem apply", time: Self.committed)
        let stamp = try ConfigDocument(bytes: stamped.bytes).config.revision
        try record.save(outcome, time: Date(), revision: stamp)
        let progress = PushProgress.of(revisionTime: Self.committed, record: record.load())
        #expect(progress == .finished(.init(newer: false, target: outcome.target, result: "pushed",
                                            sections: ["filter"], error: nil)))
    }
}
