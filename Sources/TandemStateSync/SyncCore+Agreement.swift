/// The periodic agreement check (issue: "whether the two tables agree, a periodic
/// count/digest comparison"). Every `digestInterval` a node puts the summary of its flow table
/// (`TableDigest`) in a datagram, stamped with its stream position; the peer compares it with
/// its replica when it has delivered exactly the records below that position, no more and no
/// fewer, so records still in flight cannot raise a false alarm.
///
/// Why that position is exact: the sender takes the summary only when nothing is left to
/// transmit, so every change of its table so far went out in a record below the position,
/// serialised from the flow's current state (SendStream). The one way the replica can still
/// miss the summary is a record below the position that was lost and superseded after the
/// summary was taken: the sender then answers the NACK with `void`, and the newer record lies
/// beyond the position. So a void delivered below the position makes the comparison
/// inconclusive (counted as skipped), never a disagreement.
extension SyncCore {
    /// Adds this node's table summary to the datagrams being built, when one is due and the
    /// stream is quiet enough for it to be exact.
    mutating func appendDigest(to records: inout [SyncRecord], transmittedUpTo: UInt32, _ now: SyncTime) {
        guard let due = digestDue, now >= due else { return }
        // Everything queued went out in this transmission and every number below `nextSeq` was
        // announced; no bulk is under way or owed (a bulk's flows are not all in the stream yet).
        let quiet = peer?.alive == true && send.pendingCount == 0 && bulkSend == nil && !bulkOwed
            && max(announced, transmittedUpTo) >= send.nextSeq
        guard quiet else {
            digestDue = now + configuration.keepaliveInterval
            return
        }
        records.append(.digest(TableSummary(position: send.nextSeq, digest: TableDigest(localFlows.values))))
        counters.digestsSent += 1
        digestDue = now + configuration.digestInterval
    }

    /// The peer's summary arrived (after the records of its datagram were inserted into the
    /// stream): compare at once when the replica stands at its position, or wait for it.
    mutating func receiveDigest(_ summary: TableSummary, _ now: SyncTime, _ out: inout Output) {
        guard let expected = peer?.stream.expected else { return }
        if pendingDigest != nil { counters.digestsSkipped += 1 }  // superseded before its position was reached
        pendingDigest = PendingDigest(summary: summary)
        if expected >= summary.position { concludeDigest(at: expected, now, &out) }
    }

    /// The replica reached (or passed) the pending summary's position.
    mutating func concludeDigest(at expected: UInt32, _ now: SyncTime, _ out: inout Output) {
        guard let pending = pendingDigest else { return }
        pendingDigest = nil
        guard expected == pending.summary.position, !pending.voided, bulkReceive == nil else {
            counters.digestsSkipped += 1
            return
        }
        let replica = TableDigest(hashes: remoteFlows.values)
        let agree = replica == pending.summary.digest
        counters.digestsCompared += 1
        agreement.record(agree: agree, peerFlows: Int(pending.summary.digest.count), replicaFlows: Int(replica.count), now: now)
        guard !agree else {
            disagreementsInARow = 0
            return
        }
        counters.disagreements += 1
        disagreementsInARow += 1
        // A persistent disagreement: the replica missed something the stream cannot repair
        // (a lost conntrack event on the peer is the peer's business; this is ours). A bulk
        // replaces the replica and prunes what the peer no longer has (pfsync bulk, §1.4).
        let limit = configuration.bulkAfterDisagreements
        if limit > 0, disagreementsInARow >= limit, bulkRequest == 0 {
            disagreementsInARow = 0
            counters.bulksRequestedOnDisagreement += 1
            requestBulk(now, &out)
        }
    }

    /// The comparison state starts over: a new peer session, or the peer fell silent.
    mutating func resetAgreement() {
        agreement = TableAgreement()
        pendingDigest = nil
        disagreementsInARow = 0
        digestDue = nil
    }
}

/// A summary from the peer waiting for the replica to reach its position.
struct PendingDigest: Sendable {
    var summary: TableSummary
    /// A void range below the position was delivered after the summary arrived.
    var voided = false
}
