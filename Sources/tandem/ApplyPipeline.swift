import Foundation
import TandemCompiler
import TandemConfig
import TandemNetlink
import TandemRuleset

/// The steps `tandem apply` and `tandem diff` share: read, check (parse + validate),
/// compile, and find what the kernel holds from the last apply.
struct ApplyPipeline {
    let paths: NodePaths
    let committer: RulesetCommitter

    /// A config that passed the check and compiled.
    struct Prepared {
        var path: String
        var bytes: [UInt8]
        var document: ConfigDocument
        var config: Config
        var ruleset: Ruleset
        var warnings: [ConfigDiagnostic]
    }

    enum Failure: Error {
        /// Unreadable file: a usage error (exit 2).
        case unreadable(String)
        /// Check errors, already formatted (exit 1).
        case invalid([String])
    }

    static let version = Tandem.configuration.version

    func prepare(_ file: String?) throws(Failure) -> Prepared {
        let path = file ?? paths.config
        let bytes: [UInt8]
        do {
            bytes = try ConfigFileReader.read(path)
        } catch {
            throw .unreadable("\(error)")
        }
        let check = ConfigCheck(bytes: bytes)
        guard check.isValid, let document = check.document else {
            throw .invalid(check.errors.map { $0.formatted(file: path) })
        }
        let compiled = RulesetCompiler.compile(document.config)
        return Prepared(path: path, bytes: bytes, document: document, config: document.config, ruleset: compiled.ruleset,
                        warnings: check.warnings + compiled.diagnostics)
    }

    /// The last applied ruleset and its generation, when this node has applied before with
    /// this version of tandem. Whether the kernel still holds it is the committer's check
    /// (generation and table presence).
    func previous() -> CommittedRuleset? {
        guard let state = ApplyState.load(paths), state.version == Self.version,
              let document = try? ConfigDocument(bytes: state.config) else { return nil }
        return CommittedRuleset(ruleset: RulesetCompiler.compile(document.config).ruleset,
                                generation: state.generation)
    }

    /// `previous()` computed on another thread while the caller checks and compiles the new
    /// config (both are pure and take about as long on a large config); `wait()` joins.
    final class PendingPrevious: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        // Written once by the worker before `done` is signalled, read after waiting.
        private var value: CommittedRuleset?

        init(_ pipeline: ApplyPipeline) {
            let paths = pipeline.paths
            Thread.detachNewThread { [self] in
                value = ApplyPipeline(paths: paths, committer: NoCommitter()).previous()
                done.signal()
            }
        }

        func wait() -> CommittedRuleset? {
            done.wait()
            return value
        }
    }

    /// `NEWRULE 12, NEWSETELEM 1`.
    static func summary(_ report: CommitReport) -> String {
        let counts = report.messageCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let messages = "\(report.messages) message\(report.messages == 1 ? "" : "s")"
        return counts.isEmpty ? messages : "\(messages) (\(counts.joined(separator: ", ")))"
    }

    /// A committer for pipelines that only compile (the background `previous()`).
    struct NoCommitter: RulesetCommitter {
        func generation() throws -> UInt32 { throw NftCommitError.noAcknowledgement }
        func commit(_ request: CommitRequest) throws -> CommitReport { throw NftCommitError.noAcknowledgement }
    }

    /// Makes the prepared config the node's config through the config store: `<revision>`
    /// stamped, written atomically, a copy kept in the history.
    func record(_ prepared: Prepared) throws -> RevisionInfo {
        let user = getpwuid(geteuid()).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
        let source = URL(fileURLWithPath: prepared.path).lastPathComponent
        return try ConfigStore(paths: paths).commit(prepared.document, user: user, description: "tandem apply \(source)",
                                                    time: Date().timeIntervalSince1970)
    }
}
