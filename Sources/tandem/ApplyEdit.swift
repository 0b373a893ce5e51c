import Foundation
import TandemCompiler
import TandemConcurrency
import TandemConfig
import TandemConfigSync
import TandemDaemon
import TandemNetlink
import TandemRuleset

/// `tandem apply` of a file that differs from the applied one inside one filter rule or
/// one alias (or not at all): only that item and the file around the filter rules are read,
/// checked and compiled, and only that item's kernel rules or set elements are sent
/// (`ItemEdit`, issue #3). Anything it cannot do this way is `notApplicable`, with nothing
/// changed, and the apply goes the full way, which reports errors with the whole file's
/// context.
struct ApplyEdit {
    let paths: NodePaths
    let committer: RulesetCommitter
    /// The revision's description when not `tandem apply FILE`.
    var description: String? = nil

    /// What the apply's last steps need (kernel settings, revision, state) and print.
    struct Done {
        var path: String
        var what: String
        var report: CommitReport
        var settings: [KernelSetting]
        /// Written and synced on another thread while the kernel commits.
        var revision: Background<Result<ConfigStore.Pending, ConfigStoreError>>
        var items: AppliedItems
        var warnings: [String]
        /// The ruleset the kernel held before, for a rollback after a failure past the
        /// commit (compiled only then).
        var previousConfig: StableBytes
        var timings: StageTimings
        /// Where a running daemon pushes the new revision (a primary), nil when it does not.
        var pushTarget: String?
    }

    enum Outcome {
        case applied(Done)
        case notApplicable(String)
    }

    func run(_ path: String) throws -> Outcome {
        var timings = StageTimings()
        let start = ContinuousClock.now
        // The state (the applied file, mapped; the handles and index, read) is loaded on two
        // other threads meanwhile.
        let paths = self.paths
        let loading = Background { ApplyState.mapConfig(paths) }
        let indexing = Background { ApplyState.loadIndexes(paths) }
        let read = try? StableBytes.reading(path, limit: XMLParser.maximumSize)
        guard let applied = loading.value else { return .notApplicable("no applied state is recorded") }
        guard applied.version == ApplyPipeline.version else { return .notApplicable("the applied state is from another version") }
        guard let (handles, items) = ApplyState.index(indexing.value, for: applied.generation) else {
            return .notApplicable("the applied state has no rule handles or item index")
        }
        guard let bytes = read else { return .notApplicable("the file cannot be read") }
        timings.record("read state+file", ContinuousClock.now - start)
        do {
            return .applied(try apply(path: path, bytes: bytes, applied: applied, handles: handles, items: items,
                                      timings: &timings, start: start))
        } catch let e as ItemEdit.NotApplicable {
            return .notApplicable(e.reason)
        } catch NftCommitError.notIncremental(let why) {
            return .notApplicable(why)
        }
    }

    private func apply(path: String, bytes: StableBytes, applied: ApplyState.MappedConfig, handles: NftRuleHandles,
                       items: AppliedItems, timings: inout StageTimings, start: ContinuousClock.Instant) throws -> Done {
        // From here on the new file is `location.new`: the applied file's pages and a copy of
        // the changed window (the file itself, mapped, is read only to locate the change).
        let location = try ItemEdit.locate(new: bytes, stored: applied.bytes, items: items)
        // The revision is the new file with its `<revision>` stamped, which real configs keep
        // after the filter rules: the file up to the end of the last one is written now, on
        // another thread, while the rest is checked and stamped (a revision stamped earlier
        // in the file is written whole once it is known).
        let store = ConfigStore(paths: paths)
        let unstampedHead = location.newFilter.last?.upperBound ?? 0
        let head = Background {
            Result { () throws(ConfigStoreError) in
                let writer = try store.begin()
                try writer.append(location.new.slice(0..<unstampedHead))
                return writer
            }
        }
        do {
            return try applyLocated(path: path, location: location, applied: applied, handles: handles, items: items,
                                    store: store, head: head, unstampedHead: unstampedHead, timings: &timings, start: start)
        } catch {
            if case .success(let writer) = head.value { writer.discard() }
            throw error
        }
    }

    /// The edit once located: both skeletons cut and compiled, the revision stamped and
    /// finished, the windows committed.
    private func applyLocated(path: String, location: ItemEdit.Location, applied: ApplyState.MappedConfig,
                              handles: NftRuleHandles, items: AppliedItems, store: ConfigStore,
                              head: Background<Result<ConfigStore.RevisionWriter, ConfigStoreError>>, unstampedHead: Int,
                              timings: inout StageTimings, start: ContinuousClock.Instant) throws -> Done {
        let kind = location.kind
        // The applied skeleton is cut and compiled on the other core while the new one is
        // cut, read, checked and compiled.
        let before = Background { () -> Result<RulesetCompilation, ItemEdit.NotApplicable> in
            guard let document = try? ConfigDocument(bytes: ItemEdit.oldSkeleton(location).bytes) else {
                return .failure(ItemEdit.NotApplicable("the applied file's skeleton does not parse"))
            }
            return Result { () throws(ItemEdit.NotApplicable) in
                RulesetCompiler.compile(try ItemEdit.numbered(document.config, kind: kind),
                                        filterRuleCount: location.storedFilter.count)
            }
        }
        let skeleton = ItemEdit.newSkeleton(location)
        timings.record("locate+cut", ContinuousClock.now - start)
        let parseStart = ContinuousClock.now
        guard let document = try? ConfigDocument(bytes: skeleton.bytes) else {
            throw ItemEdit.NotApplicable("the new file does not parse around the edit")
        }
        // The revision: the new skeleton stamped (on another thread, while this one checks and
        // compiles the edit; the commit waits for the stamp, which decides whether the edit
        // can go this way), its changed window moved into the file, the rest of which is
        // written and synced from there on while the kernel commits.
        let identity = ApplyPipeline.stampIdentity(path, description: description)
        let time = Date().timeIntervalSince1970
        let stamp = Background { () -> Result<StampedWindow, ItemEdit.NotApplicable> in
            let stampedSkeleton = ConfigStore.stamped(document, user: identity.user, description: identity.description, time: time)
            guard let (window, replacement) = ItemEdit.stampWindow(skeleton: skeleton, stampedSkeleton: stampedSkeleton.bytes) else {
                return .failure(ItemEdit.NotApplicable("the revision is not outside the filter rules"))
            }
            return .success(StampedWindow(window: window, replacement: replacement, time: stampedSkeleton.time,
                                          user: stampedSkeleton.user, description: stampedSkeleton.description))
        }
        let revision = Background {
            Result { () throws(ConfigStoreError) in
                guard case .success(let s) = stamp.value else {
                    if case .success(let writer) = head.value { writer.discard() }
                    throw ConfigStoreError.notWritten
                }
                let window = s.window
                let stamped = ConfigStore.Stamped(pieces: location.new.replacing(window.oldRange, with: BytePieces(s.replacement)),
                                                  time: s.time, user: s.user, description: s.description)
                let writer = try head.value.get()
                guard window.oldRange.lowerBound >= unstampedHead else {
                    writer.discard()
                    return try store.prepare(stamped)
                }
                try writer.append(stamped.pieces.slice(unstampedHead..<stamped.pieces.count))
                return try writer.finish(stamped)
            }
        }
        do {
            return try commit(path: path, location: location, document: document, applied: applied,
                              handles: handles, items: items, stamp: stamp, revision: revision, before: before,
                              timings: &timings, parseStart: parseStart)
        } catch {
            if case .success(let pending) = revision.value { store.discard(pending) }
            throw error
        }
    }

    /// Checks and compiles the new skeleton, commits the windows, and indexes the result.
    private func commit(path: String, location: ItemEdit.Location, document: ConfigDocument,
                        applied: ApplyState.MappedConfig, handles: NftRuleHandles, items: AppliedItems,
                        stamp: Background<Result<StampedWindow, ItemEdit.NotApplicable>>,
                        revision: Background<Result<ConfigStore.Pending, ConfigStoreError>>,
                        before: Background<Result<RulesetCompilation, ItemEdit.NotApplicable>>,
                        timings: inout StageTimings, parseStart: ContinuousClock.Instant) throws -> Done {
        let kind = location.kind
        let config = try ItemEdit.numbered(document.config, kind: kind)
        let diagnostics = ConfigValidator.validate(config)
        guard !diagnostics.contains(where: { $0.severity == .error }) else {
            throw ItemEdit.NotApplicable("the new file has errors")
        }
        let compiled = RulesetCompiler.compile(config, filterRuleCount: location.newFilter.count)
        timings.record("check+compile", ContinuousClock.now - parseStart)
        let old = try before.value.get()
        timings.record("previous", ContinuousClock.now - parseStart)

        let window = try stamp.value.get().window
        let windows = try ItemEdit.windows(old: old.ruleset, new: compiled.ruleset, kind: kind, items: items,
                                           handles: handles, grouping: config.system.ruleGroups)
        func moved(_ spans: [Range<Int>]) throws(ItemEdit.NotApplicable) -> [Range<Int>] {
            try spans.map { (s) throws(ItemEdit.NotApplicable) -> Range<Int> in
                guard let m = window.map(s) else { throw ItemEdit.NotApplicable("the revision overlaps an item") }
                return m
            }
        }
        let filter = try moved(location.newFilter), aliases = try moved(location.newAliases)
        let settings = KernelSetting.settings(for: config)
        try ProcSysWriter().check(settings)
        timings.record("windows", ContinuousClock.now - parseStart)

        var request = CommitRequest(ruleset: windows.next,
                                    previous: CommittedRuleset(ruleset: windows.previous, generation: applied.generation,
                                                               handles: windows.handles, allHandles: handles))
        request.partial = true
        let commitStart = ContinuousClock.now
        let report = try committer.commit(request)
        timings.record("netlink", ContinuousClock.now - commitStart)
        timings.record("  of which plan+encode", report.encodeTime)
        timings.record("  kernel", report.kernelTime)

        var chainItems = items.chainItems
        for (id, owners) in windows.chainItems { chainItems[id] = owners }
        let newHandles = report.handles ?? NftRuleHandles()
        // Owners that no longer line up with the handles (they always should) leave no
        // index: the next apply is then a full one, never a wrong edit.
        let consistent = chainItems.allSatisfy { newHandles.chains[$0.key]?.count == $0.value.count }
        let unstamp = window.oldCount == 0 && window.newCount == 0
            ? nil : AppliedItems.Unstamp(window: window.newRange, original: location.new[window.oldRange])
        let newItems = AppliedItems(filter: filter, aliases: aliases, unstamped: unstamp,
                                    chainItems: consistent ? chainItems : [:], groups: consistent ? windows.groups : [])
        timings.record("index", ContinuousClock.now - commitStart)
        let warnings = (diagnostics.filter { $0.severity == .warning } + compiled.diagnostics).map { $0.formatted(file: path) }
        let what: String = switch kind {
        case .unchanged: "unchanged"
        case .filterRule(let n): "filter/rule[\(n)]"
        case .alias(let i): "aliases/alias[\(i + 1)]"
        }
        return Done(path: path, what: what, report: report, settings: settings,
                    revision: revision,
                    items: newItems, warnings: warnings, previousConfig: applied.bytes, timings: timings,
                    pushTarget: SyncPush.pushTarget(document)?.description)
    }
}

/// Where stamping the new skeleton changed the new file, and what it put there (the
/// `<revision>` as `ItemEdit.stampWindow` finds it), with the stamp's fields.
struct StampedWindow: Sendable {
    var window: ByteDifference
    var replacement: [UInt8]
    var time: Double
    var user: String
    var description: String
}
