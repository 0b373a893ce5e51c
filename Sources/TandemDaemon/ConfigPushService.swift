import Foundation
import Logging
import ServiceLifecycle
import TandemConfig
import TandemConfigSync
import TandemConfigSyncClient

/// Pushes the config to the peer after each committed revision the daemon loads
/// (`write_config()` → `carp_sync_client()` → `rc.filter_synchronize` on pfSense).
///
/// Commits in quick succession coalesce: the notifications go through a stream that keeps
/// only the newest, and each push reads the config as it is when the push starts, so a
/// burst of commits during one push becomes one more push, of the newest revision. A
/// failed push is not queued (pfSense neither): the next commit tries afresh.
struct ConfigPushService: Service {
    let commits: AsyncStream<Void>
    /// One push of the config as it is now.
    let push: @Sendable () async -> Void

    /// The continuation `NodeDaemon` yields to after loading a new revision.
    static func makeStream() -> (AsyncStream<Void>, AsyncStream<Void>.Continuation) {
        AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    init(commits: AsyncStream<Void>, push: @escaping @Sendable () async -> Void) {
        self.commits = commits
        self.push = push
    }

    init(paths: NodePaths, logger: Logger, commits: AsyncStream<Void>) {
        let client = SyncPushClient(transport: HTTPSTransport(), pins: PeerPinStore(paths: paths))
        self.init(commits: commits) { await Self.pushCurrent(paths: paths, logger: logger, client: client) }
    }

    func run() async throws {
        for await _ in commits.cancelOnGracefulShutdown() {
            await push()
        }
    }

    static func pushCurrent(paths: NodePaths, logger: Logger, client: SyncPushClient) async {
        let document: ConfigDocument
        do {
            document = try ConfigStore(paths: paths).load()
        } catch {
            logger.error("config sync: cannot read the config to push: \(error)")
            return
        }
        guard let plan = SyncPush.plan(document) else { return }
        let outcome = await client.push(plan)
        for line in outcome.log { logger.warning("config sync: \(line)") }
        if outcome.succeeded {
            logger.notice("\(outcome.summary) Sections: \(plan.sections.joined(separator: ", "))")
        } else {
            logger.error("\(outcome.summary)")
        }
        do {
            try SyncPushRecord(paths: paths).save(outcome, time: Date(), revision: document.config.revision)
        } catch {
            logger.error("config sync: cannot record the push's outcome: \(error)")
        }
    }
}
