import Foundation
import TandemCompiler
import TandemConfig
import TandemNetlink

/// Compiles the config into the nftables ruleset and commits it through the committer as
/// one transaction; later commits send only what changed since the last one. When the
/// kernel moved on since its own last commit (a `tandem apply`, whose reload request is
/// usually why the daemon applies at all), the ruleset `tandem apply` recorded is the
/// previous one: reloading the config it just committed sends nothing.
public final class CompiledRulesetApplier: RulesetApplier, @unchecked Sendable {
    private let committer: any RulesetCommitter
    private let recorded: (paths: NodePaths, version: String)?
    private let lock = NSLock()
    private var previous: CommittedRuleset?

    /// `recorded`: where `tandem apply` keeps its applied state, and the tandem version that
    /// must have written it.
    public init(committer: any RulesetCommitter, recorded: (paths: NodePaths, version: String)? = nil) {
        self.committer = committer
        self.recorded = recorded
    }

    public func apply(_ config: Config) throws -> String {
        let compiled = RulesetCompiler.compile(config)
        let errors = compiled.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw FileConfigSource.Invalid(diagnostics: errors.map { $0.formatted(file: "config.xml") })
        }
        return try lock.withLock {
            var previous = self.previous
            if let recorded, previous?.generation != (try? committer.generation()) {
                previous = ApplyState.committedRuleset(recorded.paths, version: recorded.version) ?? previous
            }
            let report = try committer.commit(CommitRequest(ruleset: compiled.ruleset, previous: previous))
            self.previous = CommittedRuleset(ruleset: compiled.ruleset, generation: report.generation,
                                             handles: report.handles)
            return "\(report.mode.rawValue) commit, \(report.messages) messages, generation \(report.generation)"
        }
    }
}
