import Foundation
import TandemCompiler
import TandemConcurrency
import TandemConfig
import TandemDaemon
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
        let document: ConfigDocument
        do {
            document = try ConfigDocument(bytes: bytes)
        } catch {
            throw .invalid([error.diagnostic.formatted(file: path)])
        }
        // Validation and compilation both read only the typed config: validate on another
        // core and keep the compiled ruleset only when the config is valid (the compiler
        // is total, so an invalid config costs a wasted compile, never a crash).
        let config = document.config
        let validation = Background { ConfigValidator.validate(config) }
        let compiled = RulesetCompiler.compile(config)
        let diagnostics = validation.value
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw .invalid(errors.map { $0.formatted(file: path) }) }
        return Prepared(path: path, bytes: bytes, document: document, config: config, ruleset: compiled.ruleset,
                        warnings: diagnostics.filter { $0.severity == .warning } + compiled.diagnostics)
    }

    /// The last applied ruleset and its generation, when this node has applied before with
    /// this version of tandem. Whether the kernel still holds it is the committer's check
    /// (generation and table presence).
    func previous() -> CommittedRuleset? {
        ApplyState.committedRuleset(paths, version: Self.version)
    }

    /// `previous()` computed on another thread while the caller checks and compiles the new
    /// config (both are pure and take about as long on a large config).
    func pendingPrevious() -> Background<CommittedRuleset?> {
        let paths = self.paths
        return Background { ApplyPipeline(paths: paths, committer: NoCommitter()).previous() }
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

    /// The revision to record: the prepared config with `<revision>` stamped (user, time,
    /// "tandem apply FILE"), serialized, written and synced under a temporary name, on
    /// another thread once started (while the kernel takes the batch).
    func prepareRevision(_ prepared: Prepared,
                         description: String? = nil) -> Background<Result<ConfigStore.Pending, ConfigStoreError>> {
        let (user, description) = Self.stampIdentity(prepared.path, description: description)
        let document = prepared.document, time = Date().timeIntervalSince1970, store = ConfigStore(paths: paths)
        return .deferred {
            Result { () throws(ConfigStoreError) in
                try store.prepare(ConfigStore.stamped(document, user: user, description: description, time: time))
            }
        }
    }

    /// Who applies, and the revision's description (`tandem apply FILE` unless given).
    static func stampIdentity(_ path: String, description: String? = nil) -> (user: String, description: String) {
        let user = getpwuid(geteuid()).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
        if let description { return (user, description) }
        // The file's name, without Foundation's URL (whose first use costs ~0.2 ms of
        // generic lookups in a short command).
        var name = Substring(path)
        while name.count > 1, name.last == "/" { name = name.dropLast() }
        if let slash = name.lastIndex(of: "/"), name.index(after: slash) < name.endIndex {
            name = name[name.index(after: slash)...]
        }
        return (user, "tandem apply \(name)")
    }
}
