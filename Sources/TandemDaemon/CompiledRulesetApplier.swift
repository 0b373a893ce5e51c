import Foundation
import TandemCompiler
import TandemConfig
import TandemNetlink

/// Compiles the config into the nftables ruleset and commits it through the committer as
/// one transaction; later commits send only what changed since the last one.
public final class CompiledRulesetApplier: RulesetApplier, @unchecked Sendable {
    private let committer: any RulesetCommitter
    private let lock = NSLock()
    private var previous: CommittedRuleset?

    public init(committer: any RulesetCommitter) {
        self.committer = committer
    }

    public func apply(_ config: Config) throws -> String {
        let compiled = RulesetCompiler.compile(config)
        let errors = compiled.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw FileConfigSource.Invalid(diagnostics: errors.map { $0.formatted(file: "config.xml") })
        }
        return try lock.withLock {
            let report = try committer.commit(CommitRequest(ruleset: compiled.ruleset, previous: previous))
            previous = CommittedRuleset(ruleset: compiled.ruleset, generation: report.generation)
            return "\(report.mode.rawValue) commit, \(report.messages) messages, generation \(report.generation)"
        }
    }
}
