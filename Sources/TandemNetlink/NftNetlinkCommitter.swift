import TandemRuleset

/// The real `RulesetCommitter`: libnftnl objects in one netlink batch
/// (nftables.md §7.3): read the generation, plan (incremental when the previous commit is
/// still what the kernel holds, otherwise a full replace), BEGIN with NFNL_BATCH_GENID,
/// the messages, END with ACK (left out for a dry run), then every error mapped back to
/// the object or rule origin it came from.
public struct NetlinkRulesetCommitter: RulesetCommitter {
    public init() {}

    public func generation() throws -> UInt32 {
        try NftSession().generation()
    }

    public func commit(_ request: CommitRequest) throws -> CommitReport {
        let clock = ContinuousClock()
        let started = clock.now
        let session = try NftSession()
        let current = try session.generation()
        // A stale expected generation is left for the kernel to refuse (ERESTART), so the
        // check and the commit are one atomic step.
        let expected = request.expectedGeneration ?? current
        let (plan, mode, reason) = try makePlan(request, session: session, generation: current)
        guard !plan.messages.isEmpty else {
            return CommitReport(mode: .unchanged, dryRun: request.dryRun, messageCounts: [:], batchBytes: 0,
                                generation: current, fullReason: reason)
        }
        let batch = NftMessageEncoder.encode(plan, firstSequence: session.socket.sequence(),
                                             generation: expected, commit: !request.dryRun)
        // Keep the sequence numbers we used out of later requests on this socket.
        for _ in 0...plan.messages.count { _ = session.socket.sequence() }
        let encoded = clock.now
        if request.validateFirst && !request.dryRun {
            // The same messages without END first: nothing is committed unless the kernel
            // accepts every one of them (STYLE.md §8).
            let (acks, overflowed) = try session.exchange(batch, withoutEnd: true)
            try check(acks, overflowed: overflowed, batch: batch, plan: plan, expected: expected, withoutEnd: true)
        }
        let (acks, overflowed) = try session.exchange(batch, withoutEnd: request.dryRun)
        try check(acks, overflowed: overflowed, batch: batch, plan: plan, expected: expected, withoutEnd: request.dryRun)
        // The kernel bumps its generation by one per commit, skipping 0.
        let after = request.dryRun ? current : (expected &+ 1 == 0 ? 1 : expected &+ 1)
        var report = CommitReport(mode: mode, dryRun: request.dryRun, messageCounts: plan.counts,
                                  batchBytes: batch.buffer.length, generation: after, fullReason: reason)
        report.encodeTime = encoded - started
        report.kernelTime = clock.now - encoded
        return report
    }

    private func makePlan(_ request: CommitRequest, session: NftSession,
                          generation: UInt32) throws -> (NftBatchPlan, CommitReport.Mode, String?) {
        var planner = NftPlanner()
        do {
            var reason: String?
            if let previous = request.previous {
                if previous.generation != generation {
                    reason = "the kernel is at generation \(generation), not \(previous.generation) of the last commit: another commit happened"
                } else if let missing = try previous.ruleset.tables.first(where: { !(try session.tableExists($0.family, $0.name)) }) {
                    reason = "table \(missing.family.rawValue) \(missing.name) is missing"
                } else {
                    let outcome = try planner.incremental(from: previous.ruleset, to: request.ruleset) { f, t, c in
                        try session.ruleHandles(f, table: t, chain: c)
                    }
                    switch outcome {
                    case .plan(let plan):
                        return (plan, plan.messages.isEmpty ? .unchanged : .incremental, nil)
                    case .needsFullReplace(let why):
                        reason = why
                    }
                }
            }
            return (try planner.fullReplace(request.ruleset), .full, reason)
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
