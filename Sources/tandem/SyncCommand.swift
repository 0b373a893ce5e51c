import ArgumentParser
import Foundation
import TandemConfig
import TandemConfigSync
import TandemConfigSyncClient

/// `tandem sync …`: config sync to the peer (pfSense's XML-RPC sync).
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Config sync to the peer over XML-RPC.",
        subcommands: [Now.self, TrustPeer.self])

    /// The node's current config, or the command's error and exit status 1.
    static func loadConfig(_ paths: NodePaths, command: String) throws -> ConfigDocument {
        do {
            return try ConfigStore(paths: paths).load()
        } catch {
            printError("tandem sync \(command): \(error)")
            throw ExitCode(1)
        }
    }

    /// `tandem sync now`: push the current revision, as the daemon does after a commit.
    struct Now: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "now",
            abstract: "Push the current config to the peer now and print the outcome per section.")

        @OptionGroup var rootOptions: RootOptions

        func run() async throws {
            let paths = rootOptions.paths
            let document = try SyncCommand.loadConfig(paths, command: "now")
            guard let plan = SyncPush.plan(document) else {
                print("nothing to push: hasync/synchronizetoip is empty (a secondary) or no synchronize* toggle is on")
                return
            }
            let outcome = await SyncPushClient(transport: HTTPSTransport(), pins: PeerPinStore(paths: paths)).push(plan)
            for line in outcome.log { printError(line) }
            let word: String
            switch outcome.result {
            case .pushed: word = "pushed"
            case .refused: word = "refused"
            case .failed: word = "failed"
            case .pending: word = "not sent"
            }
            for section in plan.sections { print("\(section): \(word)") }
            if let pin = outcome.pinned { print("pinned the peer's certificate: sha256 \(pin)") }
            print(outcome.summary)
            try? SyncPushRecord(paths: paths).save(outcome, time: Date(), revision: document.config.revision)
            if !outcome.succeeded { throw ExitCode(1) }
        }
    }

    /// `tandem sync trust-peer`: accept the certificate the peer presents now (after it was
    /// replaced on purpose), in place of the pinned one.
    struct TrustPeer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust-peer",
            abstract: "Pin the certificate the peer presents now (after it was replaced on purpose).")

        @OptionGroup var rootOptions: RootOptions

        func run() async throws {
            let paths = rootOptions.paths
            let document = try SyncCommand.loadConfig(paths, command: "trust-peer")
            guard let plan = SyncPush.plan(document) else {
                printError("tandem sync trust-peer: this node does not push its config (hasync/synchronizetoip is empty)")
                throw ExitCode(1)
            }
            let store = PeerPinStore(paths: paths)
            let fingerprint: String
            do {
                fingerprint = try await HTTPSTransport().certificateFingerprint(of: plan.target)
            } catch {
                printError("tandem sync trust-peer: \(error)")
                throw ExitCode(1)
            }
            let old = store.load()
            do {
                try store.save(fingerprint)
            } catch {
                printError("tandem sync trust-peer: cannot write \(store.path): \(error)")
                throw ExitCode(1)
            }
            if let old, old != fingerprint { print("replaced pin sha256 \(old)") }
            print("\(plan.target) presents sha256 \(fingerprint): pinned in \(store.path)")
        }
    }
}
