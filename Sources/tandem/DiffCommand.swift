import ArgumentParser
import TandemConfig
import TandemNetlink
import TandemRuleset

/// `tandem diff [FILE] [--root DIR]`: what `tandem apply FILE` would change in the
/// kernel (chains, sets and set elements added, removed or changed), validated by the
/// kernel with a dry-run batch, without changing anything.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what an apply would change in the kernel, without changing it.",
        discussion: """
            Lines start with + (added), - (removed) or ~ (changed). The last line says whether \
            the apply would be incremental or a full replace and how many netlink messages it \
            would send. Exits 0, 1 when the config is invalid or the kernel would refuse it, \
            2 on a usage error.
            """)

    @Argument(help: ArgumentHelp("The config file (default: the node's config under --root).", valueName: "FILE"))
    var file: String?

    @OptionGroup var root: RootOptions

    func run() throws {
        let pipeline = ApplyPipeline(paths: root.paths, committer: NetlinkRulesetCommitter())
        let pending = pipeline.pendingPrevious()
        let prepared: ApplyPipeline.Prepared
        do {
            prepared = try pipeline.prepare(file)
        } catch .unreadable(let why) {
            printError("tandem diff: \(why)")
            throw ExitCode(2)
        } catch .invalid(let errors) {
            for e in errors { printError(e) }
            throw ExitCode(1)
        }
        for w in prepared.warnings { printError(w.formatted(file: prepared.path)) }
        let previous = pending.value
        let report: CommitReport
        do {
            report = try pipeline.committer.commit(CommitRequest(ruleset: prepared.ruleset, previous: previous, dryRun: true))
        } catch {
            printError("tandem diff: the kernel would refuse the ruleset:\n\(error)")
            throw ExitCode(1)
        }
        // Against the last applied ruleset (what the kernel holds unless someone else
        // changed it, in which case the last line says the tables are replaced whole).
        let base = previous?.ruleset ?? Ruleset()
        let diff = RulesetDiff(from: base, to: prepared.ruleset)
        for line in diff.lines { print(line) }
        switch report.mode {
        case .unchanged:
            print("no changes")
        case .incremental:
            print("apply would be incremental: \(ApplyPipeline.summary(report))")
        case .full:
            let why = report.fullReason.map { " (\($0))" } ?? (previous == nil ? " (no previous apply recorded)" : "")
            print("apply would replace the tables whole\(why): \(ApplyPipeline.summary(report))")
        }
    }
}
