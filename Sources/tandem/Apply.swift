import ArgumentParser
import Foundation
import TandemCompiler
import TandemConcurrency
import TandemConfig
import TandemConfigSync
import TandemConfigSyncClient
import TandemDaemon
import TandemNetlink
import TandemRuleset
import TandemSystem

/// `tandem apply`: check → compile → one atomic batch → kernel settings → FILE becomes the
/// node's config. On any failure the kernel keeps the ruleset it had and the node's config
/// is unchanged.
struct Apply {
    let file: String?
    /// The node's files (`--root`).
    let paths: NodePaths
    let dryRun: Bool
    let validateFirst: Bool
    let verbose: Bool
    let confirmSeconds: Double?
    let description: String?
    /// The kernel's side, its netlink socket kept open from the first use to the end: the
    /// command hands the socket's release to a child at its exit (`finish`).
    private let committer = NetlinkRulesetCommitter(keepingSessionOpen: true)
    private var pipeline: ApplyPipeline { ApplyPipeline(paths: paths, committer: committer) }

    init(_ options: ApplyOptions) {
        confirmSeconds = options.confirmSeconds
        description = options.description
        file = options.file
        paths = NodePaths(root: options.root)
        dryRun = options.dryRun
        validateFirst = options.validateFirst
        verbose = options.verbose
    }

    func run() throws {
        ProcessMemory.keepFreedBlocks()
        let path = file ?? paths.config
        let restore = try confirmSeconds.map { _ in try commitConfirmPreconditions() }
        let pipeline = self.pipeline
        if !dryRun, !validateFirst {
            // A file that differs from the applied one in one rule or alias: that item alone.
            let edit: ApplyEdit.Outcome
            do {
                edit = try ApplyEdit(paths: paths, committer: committer, description: description).run(path)
            } catch let error as NftCommitError {
                printError("tandem apply: the kernel refused the ruleset; nothing was changed")
                printError("\(error)")
                throw ExitCode(1)
            }
            switch edit {
            case .applied(let done):
                for w in done.warnings { printError(w) }
                var timings = done.timings
                try finish(path: done.path, settings: done.settings, revision: done.revision, report: done.report,
                           items: .known(done.items), edit: done.what, pushTarget: done.pushTarget,
                           timings: &timings, restore: restore) {
                    // Only after a failure past the commit: put the previous ruleset back whole.
                    guard let document = try? ConfigDocument(bytes: done.previousConfig.array) else { return nil }
                    return CommittedRuleset(ruleset: RulesetCompiler.compile(document.config).ruleset,
                                            generation: done.report.generation)
                }
            case .notApplicable(let why):
                if verbose { print("not an edit of one item (\(why)): the whole file is read") }
            }
        }
        var timings = StageTimings()
        let pending = pipeline.pendingPrevious()
        let prepared: ApplyPipeline.Prepared
        do {
            prepared = try timings.measure("check+compile") { () throws(ApplyPipeline.Failure) in try pipeline.prepare(file) }
        } catch .unreadable(let why) {
            printError("tandem apply: \(why)")
            throw ExitCode(2)
        } catch .invalid(let errors) {
            for e in errors { printError(e) }
            printError("tandem apply: \(path) is not valid; nothing was changed")
            throw ExitCode(1)
        }
        for w in prepared.warnings { printError(w.formatted(file: prepared.path)) }

        let settings = KernelSetting.settings(for: prepared.config)
        let writer = ProcSysWriter()
        // The revision to record, serialized on a free core: while the last applied config
        // is still being recompiled when there is one (its commit will be short), else while
        // the kernel takes the batch (planning a full one uses both cores).
        let revision = pipeline.prepareRevision(prepared, description: description)
        if !dryRun, ApplyState.exists(paths) { revision.start() }
        let previous = timings.measure("previous (rest)") { pending.value }
        do {
            if dryRun {
                // The batch without END: the kernel validates it and commits nothing.
                let check = try pipeline.committer.commit(CommitRequest(ruleset: prepared.ruleset, previous: previous,
                                                                        dryRun: true))
                print("dry run: the kernel accepts the ruleset (\(check.mode.rawValue), \(ApplyPipeline.summary(check))); nothing was changed")
                for s in settings { print("would set \(s.dotted) = \(s.value)") }
                return
            }
            try writer.check(settings)
            // One batch, compare-and-swap on the generation read at the start: a commit by
            // anyone in between makes this one fail instead of overwriting theirs. The kernel
            // processes every message of a batch before it commits any; any error aborts the
            // whole batch (nftables.md §5.1): a refused rule leaves the old ruleset whole, so
            // a separate dry-run pass would only double the kernel's work (`--validate-first`
            // still asks for it).
            let report = try timings.measure("netlink") {
                var request = CommitRequest(ruleset: prepared.ruleset, previous: previous, validateFirst: validateFirst)
                // Planning and encoding use both cores; the kernel then works on one.
                request.beforeKernel = { revision.start() }
                return try pipeline.committer.commit(request)
            }
            if verbose {
                timings.record("  of which plan+encode", report.encodeTime)
                timings.record("  kernel", report.kernelTime)
            }
            try finish(path: prepared.path, settings: settings, revision: revision, report: report,
                       items: .fromStamped { stored in
                           report.handles.flatMap {
                               AppliedItems.make(ruleset: prepared.ruleset, handles: $0, input: prepared.bytes,
                                                 spans: prepared.document.spans ?? ItemSpans(),
                                                 filterRules: prepared.config.filterRules.count, stamped: stored)
                           }
                       }, edit: nil, pushTarget: SyncPush.pushTarget(prepared.document)?.description,
                       timings: &timings, restore: restore) { previous }
        } catch let error as NftCommitError {
            if !dryRun, case .success(let pending) = revision.value { ConfigStore(paths: paths).discard(pending) }
            printError("tandem apply: the kernel refused the ruleset; nothing was changed")
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    /// The item index to record with the applied state: known at once (an edit), or made
    /// from the revision's stamped bytes (a full apply indexes the file it stored).
    enum ItemIndex {
        case known(AppliedItems?)
        case fromStamped(@Sendable ([UInt8]) -> AppliedItems?)
    }

    /// After the commit: kernel settings, the revision, the applied state (with its item
    /// index), the report, the daemon. A failure before the revision is recorded puts the
    /// previous ruleset back (`previous`, computed only then) and changes nothing else.
    private func finish(path: String, settings: [KernelSetting],
                        revision background: Background<Result<ConfigStore.Pending, ConfigStoreError>>,
                        report: CommitReport, items index: ItemIndex, edit: String?, pushTarget: String?,
                        timings: inout StageTimings, restore: Int?,
                        previous: () -> CommittedRuleset?) throws -> Never {
        let revision: RevisionInfo
        let recordStart = ContinuousClock.now
        let store = ConfigStore(paths: paths)
        let paths = self.paths, generation = report.generation, handles = report.handles
        // The state (generation, handles, item index) is encoded while the revision is still
        // being synced when the index is known; it is written once the applied config is.
        let known: Background<[UInt8]>? = if case .known(let items) = index {
            Background {
                ApplyState(generation: generation, version: ApplyPipeline.version, config: [], handles: handles,
                           items: items).stateBytes
            }
        } else {
            nil
        }
        let saved: Background<Result<Void, any Error>>
        do {
            let prepared = try background.value.get()
            do {
                try ProcSysWriter().write(settings)
            } catch {
                store.discard(prepared)
                throw error
            }
            // The applied config is linked to the revision's file before that is renamed into
            // the history; the rest of the applied state is written on the other core
            // meanwhile, the state file last. (If recording the revision fails, the ruleset
            // is rolled back and the state, naming the generation the kernel then leaves,
            // only makes the next apply a full one.)
            let linked = Result { try ApplyState.saveConfig(prepared.stamped.bytes, paths, sharing: prepared.path) }
            saved = Background {
                Result {
                    try linked.get()
                    let state: [UInt8] = switch index {
                    case .known: known!.value
                    case .fromStamped(let make):
                        ApplyState(generation: generation, version: ApplyPipeline.version, config: [], handles: handles,
                                   items: make(prepared.stamped.bytes)).stateBytes
                    }
                    try ApplyState.saveState(state, paths)
                }
            }
            do {
                revision = try store.commit(prepared)
            } catch {
                _ = saved.value
                throw error
            }
        } catch {
            // The node's config is still the old one: so must the kernel's ruleset be.
            try rollBack(previous(), after: report)
            printError("tandem apply: \(error); the previous ruleset was restored and nothing was changed")
            throw ExitCode(1)
        }
        if case .failure(let error) = saved.value {
            // Kernel and config agree; without the state the next apply is a full one.
            printError("tandem apply: warning: could not record the applied state: \(error)")
        }
        timings.record("record", ContinuousClock.now - recordStart)
        if verbose, let why = report.fullReason { print("full replace: \(why)") }
        if verbose, let edit { print("edit of one item: \(edit)") }
        if verbose { print("timings: \(timings)") }
        print("applied \(path): \(report.mode.rawValue), \(ApplyPipeline.summary(report)), generation \(report.generation), revision \(revision.number)")
        let reloaded = notifyDaemon(paths)
        var status: Int32 = 0
        if let restore, let seconds = confirmSeconds, !armCommitConfirm(restore: restore, applied: revision.number, seconds: seconds) {
            status = 1
        }
        if let pushTarget { reportPush(to: pushTarget, of: revision, daemonReloaded: reloaded) }
        fflush(nil)
        // The netlink socket's release waits for the kernel to free what the commit replaced
        // (an RCU grace period, ~10 ms): a child takes that wait after this process exits.
        committer.closeKeptSessionAfterExit()
        // Done: the kernel, the config and the state are written. Exit here instead of
        // unwinding, which frees the parsed document, both rulesets and the batch one
        // object at a time (tens of milliseconds for a large config).
        Glibc.exit(status)
    }

    /// `--confirm` needs a daemon (nobody else would restore) and a revision to go back to;
    /// checked before anything changes. Returns the revision to restore.
    private func commitConfirmPreconditions() throws -> Int {
        let why: String
        do {
            let response = try ControlClient(path: paths.controlSocket).send(ControlRequest(command: .status))
            why = response.ok ? "" : response.error ?? "the daemon refused the status request"
        } catch {
            why = "\(error)"
        }
        guard why.isEmpty else {
            printError("tandem apply --confirm: no daemon answers on \(paths.controlSocket) (\(why)); nobody would restore the previous revision, so nothing was applied. Start `tandem daemon`, or apply without --confirm.")
            throw ExitCode(1)
        }
        // The revision to restore is the node's config as it is now. When that is not the
        // newest revision (a node whose config.xml was put in place by hand, or edited and
        // reloaded since), it is recorded as one first.
        let store = ConfigStore(paths: paths)
        do {
            // Pinned before the apply's commit prunes the history; the daemon keeps the pin
            // of the pending restore point and drops the others.
            if let newest = try store.newestRevision(),
               try ConfigFileReader.read(RevisionHistory(store: store).path(newest)) == ConfigFileReader.read(paths.config) {
                try store.pin([newest], keepingOthers: true)
                return newest
            }
            let current = try store.load()
            let user = ApplyPipeline.stampIdentity(paths.config).user
            let info = try store.commit(current, user: user, description: "Config before tandem apply --confirm",
                                        time: Date().timeIntervalSince1970)
            try store.pin([info.number], keepingOthers: true)
            print("recorded the current config as revision \(info.number), to restore unless confirmed")
            return info.number
        } catch {
            printError("tandem apply --confirm: cannot record the current config as the revision to restore: \(error); nothing was applied")
            throw ExitCode(1)
        }
    }

    /// Tells the daemon to restore `restore` unless confirmed within `seconds`. False (and
    /// said) when it did not take the request: the new config then stays unguarded.
    private func armCommitConfirm(restore: Int, applied: Int, seconds: Double) -> Bool {
        let user = ApplyPipeline.stampIdentity(paths.config).user
        let request = ControlRequest(command: .armConfirm, seconds: seconds, revision: restore, applied: applied, user: user)
        do {
            let response = try ControlClient(path: paths.controlSocket).send(request)
            if response.ok {
                print("commit-confirm: \(response.message ?? "armed"); run `tandem confirm\(paths.root.isEmpty ? "" : " --root \(paths.root)")` to keep it")
                return true
            }
            printError("tandem apply: the daemon refused the commit-confirm: \(response.error ?? "no reason given"); revision \(applied) stays applied and will NOT be restored")
        } catch {
            printError("tandem apply: could not reach the daemon to arm the commit-confirm: \(error); revision \(applied) stays applied and will NOT be restored")
        }
        return false
    }

    /// A daemon running for this root takes the new config at once (addresses, CARP groups,
    /// state sync), as after SIGHUP. Its ruleset is already in the kernel, so the reload
    /// commits nothing. No daemon, no request; a daemon that fails to reload is a warning:
    /// the kernel and the config already agree. Returns nil without a daemon, else whether
    /// it reloaded.
    private func notifyDaemon(_ paths: NodePaths) -> Bool? {
        guard FileManager.default.fileExists(atPath: paths.controlSocket) else { return nil }
        do {
            let response = try ControlClient(path: paths.controlSocket).send(ControlRequest(command: .reload))
            if response.ok {
                print("daemon reloaded\(response.message.map { ": \($0)" } ?? "")")
                return true
            }
            printError("tandem apply: warning: the daemon did not reload: \(response.error ?? "no reason given")")
        } catch {
            printError("tandem apply: warning: could not reach the daemon to reload it: \(error)")
        }
        return false
    }

    /// How long `tandem apply` waits for the daemon's push of the new revision.
    static let pushWait: Duration = .seconds(10)

    /// On a primary, the daemon pushes each revision it reloads to the peer
    /// (`ConfigPushService`); the apply waits for that push (bounded by `pushWait`) and
    /// prints its outcome per section, as pfSense shows the sync's result after a save. The
    /// apply itself has succeeded either way: a failed push is reported, not an exit status.
    private func reportPush(to target: String, of revision: RevisionInfo, daemonReloaded: Bool?) {
        guard let reloaded = daemonReloaded else {
            print("no daemon: not pushed to \(target) (`tandem sync now` pushes without one)")
            return
        }
        guard reloaded else {
            // It may still reload and push (a reload of a large config can outlast the
            // control socket's timeout): not waited for, not claimed either way.
            printError("tandem apply: warning: the push to \(target) is not waited for: the daemon did not confirm the reload; `tandem status` shows the last push")
            return
        }
        guard let time = revision.time else { return }
        let record = SyncPushRecord(paths: paths)
        let deadline = ContinuousClock.now + Self.pushWait
        var progress = PushProgress.of(revisionTime: time, record: record.load())
        while progress == .waiting, ContinuousClock.now < deadline {
            usleep(50_000)
            progress = PushProgress.of(revisionTime: time, record: record.load())
        }
        if progress == .waiting {
            printError("tandem apply: warning: the push to \(target) has not finished after \(Self.pushWait); `tandem status` shows its outcome")
            return
        }
        for line in progress.lines {
            if progress.succeeded { print(line) } else { printError("tandem apply: warning: \(line)") }
        }
    }

    /// Puts the previous ruleset back after a failure that followed the commit.
    private func rollBack(_ previous: CommittedRuleset?, after report: CommitReport) throws {
        guard let previous else { return }
        _ = try committer.commit(CommitRequest(ruleset: previous.ruleset, expectedGeneration: report.generation))
    }
}
