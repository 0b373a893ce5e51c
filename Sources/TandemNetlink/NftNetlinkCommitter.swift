import Synchronization
import TandemRuleset

/// The real `RulesetCommitter`: libnftnl objects in one netlink batch
/// (nftables.md §7.3): read the generation, plan (incremental when the previous commit is
/// still what the kernel holds, otherwise a full replace), BEGIN with NFNL_BATCH_GENID,
/// the messages, END with ACK (left out for a dry run), then every error mapped back to
/// the object or rule origin it came from.
public struct NetlinkRulesetCommitter: RulesetCommitter {
    private let kept: KeptSession?

    public init() {
        kept = nil
    }

    /// A committer whose netlink socket stays open from its first use until it is handed
    /// over (`closeKeptSessionAfterExit`) or the process ends. Releasing a
    /// NETLINK_NETFILTER socket right after a commit waits for the kernel to free what the
    /// commit replaced (`nft_rcv_nl_event` on NETLINK_URELEASE flushes nf_tables' destroy
    /// work, which waits for an RCU grace period: 3–12 ms here), wherever the release
    /// happens, the process's exit included.
    public init(keepingSessionOpen: Bool) {
        kept = keepingSessionOpen ? KeptSession() : nil
    }

    private func session() throws -> NftSession {
        try kept?.session() ?? NftSession()
    }

    /// Closes the kept socket without waiting for the kernel's release: a child process
    /// holds it until this process has exited and takes the wait (`tandem_close_after_exit`
    /// in `CCloseAfterExit`).
    /// For a command about to exit, which would otherwise wait for it at its exit. When no
    /// child can be made, the socket is closed here, waiting.
    public func closeKeptSessionAfterExit() {
        kept?.closeAfterExit()
    }

    public func generation() throws -> UInt32 {
        try session().generation()
    }

    public func commit(_ request: CommitRequest) throws -> CommitReport {
        let clock = ContinuousClock()
        let started = clock.now
        let session = try session()
        let current = try session.generation()
        // A stale expected generation is left for the kernel to refuse (ERESTART), so the
        // check and the commit are one atomic step.
        let expected = request.expectedGeneration ?? current
        let (plan, mode, reason, known) = try makePlan(request, session: session, generation: current)
        if request.partial, let odd = plan.messages.first(where: { !Self.editsInPlace($0) }) {
            // A window is not the whole chain: flushing or recreating it would lose the rest.
            throw NftCommitError.notIncremental("a partial commit may only edit rules and elements, not \(odd.kind)")
        }
        guard !plan.messages.isEmpty else {
            var report = CommitReport(mode: .unchanged, dryRun: request.dryRun, messageCounts: [:], batchBytes: 0,
                                      generation: current, fullReason: reason)
            report.handles = request.dryRun ? nil : request.partial ? request.previous?.allHandles : known
            return report
        }
        // A full replace makes fresh tables, whose handles follow from the batch's order;
        // new rules in existing tables are echoed with theirs (NftRuleHandles). A large
        // incremental batch is not echoed: its chains are dumped when next needed.
        let newRules = plan.messages.lazy.filter { if case .newRule = $0 { true } else { false } }.count
        let echo = mode == .incremental && !request.dryRun && newRules <= Self.echoLimit
        let batch: NftEncodedBatch
        do {
            batch = try NftMessageEncoder.encode(plan, firstSequence: session.socket.sequence(),
                                                 generation: expected, commit: !request.dryRun, echoRules: echo)
        } catch {
            throw NftCommitError.unencodable(error)
        }
        // Keep the sequence numbers we used out of later requests on this socket.
        for _ in 0...plan.messages.count { _ = session.socket.sequence() }
        let encoded = clock.now
        request.beforeKernel?()
        if request.validateFirst && !request.dryRun {
            // The same messages without END first: nothing is committed unless the kernel
            // accepts every one of them (STYLE.md §8).
            let (acks, overflowed, _) = try session.exchange(batch, withoutEnd: true)
            try check(acks, overflowed: overflowed, batch: batch, plan: plan, expected: expected, withoutEnd: true)
        }
        let (acks, overflowed, echoed) = try session.exchange(batch, withoutEnd: request.dryRun)
        if request.partial, Self.refusedAHandle(acks, batch: batch, plan: plan) {
            throw NftCommitError.notIncremental("the kernel does not hold a recorded rule handle")
        }
        if request.partial, Self.refusedAnElement(acks, batch: batch, plan: plan) {
            throw NftCommitError.notIncremental("an element is not where the edit expects it (another rule has it, or it is gone)")
        }
        if request.previous?.handles != nil, Self.refusedAHandle(acks, batch: batch, plan: plan) {
            // The recorded handles were not the kernel's (the batch was refused, nothing
            // changed): plan again from a dump of the chains.
            var again = request
            again.previous?.handles = nil
            return try commit(again)
        }
        try check(acks, overflowed: overflowed, batch: batch, plan: plan, expected: expected, withoutEnd: request.dryRun)
        // The kernel bumps its generation by one per commit, skipping 0.
        let after = request.dryRun ? current : (expected &+ 1 == 0 ? 1 : expected &+ 1)
        var report = CommitReport(mode: mode, dryRun: request.dryRun, messageCounts: plan.counts,
                                  batchBytes: batch.buffer.length, generation: after, fullReason: reason)
        report.encodeTime = encoded - started
        report.kernelTime = clock.now - encoded
        if !request.dryRun {
            var byIndex: [Int: UInt64] = [:]
            for (sequence, handle) in echoed { byIndex[Int(sequence &- batch.firstSequence)] = handle }
            let before = mode == .full ? nil : request.partial ? request.previous?.allHandles : known
            report.handles = try? NftRuleHandles.after(plan, before: before, echoed: byIndex)
        }
        return report
    }

    /// Whether the kernel refused a DELRULE or a positioned NEWRULE with ENOENT: a rule
    /// handle that is not in the chain.
    static func refusedAHandle(_ acks: [NftAcknowledgement], batch: NftEncodedBatch, plan: NftBatchPlan) -> Bool {
        acks.contains { ack in
            let i = Int(ack.sequence &- batch.firstSequence)
            guard ack.errno == NftSession.noEntry, plan.messages.indices.contains(i) else { return false }
            switch plan.messages[i] {
            case .deleteRule: return true
            case .newRule(_, _, _, _, _, let position): return position != .end
            default: return false
            }
        }
    }

    /// Whether the kernel refused an exclusive NEWSETELEM with EEXIST or a DELSETELEM with
    /// ENOENT: in a rule group, the new tuple is another rule's, or the old one is not there.
    static func refusedAnElement(_ acks: [NftAcknowledgement], batch: NftEncodedBatch, plan: NftBatchPlan) -> Bool {
        acks.contains { ack in
            let i = Int(ack.sequence &- batch.firstSequence)
            guard plan.messages.indices.contains(i) else { return false }
            switch plan.messages[i] {
            case .newElements(_, _, _, _, _, _, true): return ack.errno == NftSession.exists
            case .deleteElements: return ack.errno == NftSession.noEntry
            default: return false
            }
        }
    }

    /// Rules placed or deleted by handle (with the anonymous sets a new rule carries, which
    /// the kernel binds to it and frees with it), elements added or deleted.
    static func editsInPlace(_ message: NftMessage) -> Bool {
        switch message {
        case .newRule, .deleteRule, .newElements, .deleteElements: true
        case .newSet(_, _, let definition): definition.isAnonymous
        default: false
        }
    }

    /// At most this many echoed rules per incremental batch (each echo is about as large as
    /// its request and must fit the receive buffer).
    static let echoLimit = 4096

    /// The plan, its mode, why it is not incremental, and the rule handles known before it
    /// (recorded with the previous commit, or dumped for a chain it edits).
    private func makePlan(_ request: CommitRequest, session: NftSession, generation: UInt32)
        throws -> (NftBatchPlan, CommitReport.Mode, String?, NftRuleHandles?) {
        var planner = NftPlanner()
        do {
            var reason: String?
            if let previous = request.previous {
                if previous.generation != generation {
                    reason = "the kernel is at generation \(generation), not \(previous.generation) of the last commit: another commit happened"
                } else if let missing = try previous.ruleset.tables.first(where: { !(try session.tableExists($0.family, $0.name)) }) {
                    reason = "table \(missing.family.rawValue) \(missing.name) is missing"
                } else {
                    // Nobody committed since the recorded generation, so the recorded handles
                    // are the kernel's.
                    var known = previous.handles ?? NftRuleHandles()
                    let outcome = try planner.incremental(from: previous.ruleset, to: request.ruleset) { f, t, c in
                        if let h = known[f, table: t, chain: c] { return h }
                        if request.partial { throw NftCommitError.notIncremental("no recorded handles for chain \(c)") }
                        let h = try session.ruleHandles(f, table: t, chain: c)
                        known.chains[NftRuleHandles.ChainID(f, table: t, chain: c)] = h
                        return h
                    }
                    switch outcome {
                    case .plan(let plan):
                        return (plan, plan.messages.isEmpty ? .unchanged : .incremental, nil, known)
                    case .needsFullReplace(let why):
                        reason = why
                    }
                }
            }
            if request.partial {
                throw NftCommitError.notIncremental(reason ?? "no previous commit is recorded")
            }
            return (try planner.fullReplace(request.ruleset), .full, reason, nil)
        } catch let e as NftLinearizeError {
            throw NftCommitError.unsupported(place: e.place, problem: e.problem)
        }
    }

    private func check(_ acks: [NftAcknowledgement], overflowed: Bool, batch: NftEncodedBatch,
                       plan: NftBatchPlan, expected: UInt32, withoutEnd: Bool) throws {
        var errors: [NftKernelError] = []
        for ack in acks where ack.errno != 0 {
            if ack.sequence == batch.beginSequence && ack.errno == NftSession.restart {
                throw NftCommitError.concurrentChange(expected: expected)
            }
            let index = Int(ack.sequence &- batch.firstSequence)
            let subject = plan.subjects.indices.contains(index) ? plan.subjects[index] : "nftables batch"
            errors.append(NftKernelError(subject: subject, errno: ack.errno, message: ack.message))
        }
        if overflowed {
            errors.append(NftKernelError(subject: "nftables batch", errno: NftSession.noBufferSpace,
                                         message: "more errors than the receive buffer could hold"))
        }
        if !errors.isEmpty { throw NftCommitError.rejected(errors) }
        if !withoutEnd, let end = batch.endSequence, !acks.contains(where: { $0.sequence == end }) {
            throw NftCommitError.noAcknowledgement
        }
    }
}

/// The session a `NetlinkRulesetCommitter(keepingSessionOpen: true)` reuses; made on first
/// use.
private final class KeptSession: Sendable {
    private let open = Mutex<NftSession?>(nil)

    func session() throws -> NftSession {
        try open.withLock { open in
            if let open { return open }
            let s = try NftSession()
            open = s
            return s
        }
    }

    func closeAfterExit() {
        // Taken out under the lock, handed over and closed (deinit) outside it.
        let s = open.withLock { open in
            defer { open = nil }
            return open
        }
        _ = s?.socket.closeAfterExit()
    }
}
