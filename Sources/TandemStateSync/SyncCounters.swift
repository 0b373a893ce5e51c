/// What `tandem status` shows about state sync (STYLE §13: every rejection counted by reason).
public struct SyncCounters: Sendable, Equatable, Codable {
    public var datagramsSent = 0
    public var recordsSent = 0
    /// Records sent again after a NACK.
    public var recordsResent = 0
    public var datagramsReceived = 0
    public var recordsReceived = 0
    /// NACK ranges sent / received.
    public var nacksSent = 0
    public var nacksReceived = 0
    /// Sequence ranges declared void in answer to a NACK.
    public var voidsSent = 0
    /// Records received twice (resends that crossed an acknowledgement).
    public var duplicateRecords = 0
    /// Records dropped because they were too far ahead of the next expected one.
    public var recordsOutOfWindow = 0
    /// Times the resend queue overflowed and a bulk transfer replaced it ("reliability lost").
    public var resendQueueOverflows = 0
    public var peerRestarts = 0
    /// Times this node started a new session because its sequence numbers neared 2^32.
    public var sessionRotations = 0
    public var bulksSent = 0
    public var bulksReceived = 0
    /// Remote flows removed because a completed bulk did not mention them.
    public var flowsPrunedByBulk = 0
    /// Table digests sent to the peer, and the peer's digests compared with the replica.
    public var digestsSent = 0
    public var digestsCompared = 0
    /// Peer digests not compared: a record below its position was declared void (its
    /// successor may postdate the digest), or the replica had moved past the position.
    public var digestsSkipped = 0
    /// Comparisons that found the tables different.
    public var disagreements = 0
    /// Bulks asked for after `bulkAfterDisagreements` disagreements in a row.
    public var bulksRequestedOnDisagreement = 0
    public var rejected: [SyncRejection: Int] = [:]
    /// The peer's flows not injected because they are out of scope (`FlowScope`), by reason.
    public var flowsRefused: [FlowRefusal: Int] = [:]
    /// The peer's flows injected with their timeout cut to the protocol's ceiling.
    public var timeoutsCapped = 0

    public init() {}

    public var rejectedTotal: Int { rejected.values.reduce(0, +) }
    public var refusedTotal: Int { flowsRefused.values.reduce(0, +) }

    mutating func reject(_ reason: SyncRejection) { rejected[reason, default: 0] += 1 }
    mutating func refuse(_ reason: FlowRefusal) { flowsRefused[reason, default: 0] += 1 }
}

/// A snapshot of the core for status output and for the daemon's CARP demotion.
public struct SyncStatus: Sendable, Equatable, Codable {
    public var counters: SyncCounters
    public var session: UInt64
    public var peerSession: UInt64?
    public var peerAlive: Bool
    public var localFlows: Int
    public var remoteFlows: Int
    public var resendQueue: Int
    /// A bulk transfer from the peer is being received.
    public var receivingBulk: Bool
    /// A bulk transfer to the peer is being sent.
    public var sendingBulk: Bool
    /// The start-up bulk has neither completed nor timed out: keep CARP demoted.
    public var initialBulkPending: Bool
    public var lastBulkCompleted: SyncTime?
    /// Whether the peer's table and this node's replica of it agree.
    public var agreement: TableAgreement
}

extension SyncStatus {
    /// Lines for `tandem status` (text form); the JSON form is the Codable encoding.
    public var summaryLines: [String] {
        let c = counters
        var lines = [
            "state sync: peer \(peerSession.map { String($0, radix: 16) } ?? "unknown") \(peerAlive ? "up" : "down"), session \(String(session, radix: 16))",
            "  flows: \(localFlows) local, \(remoteFlows) from peer; resend queue \(resendQueue)",
            "  sent: \(c.datagramsSent) datagrams, \(c.recordsSent) records, \(c.recordsResent) resent, \(c.nacksSent) NACKs",
            "  received: \(c.datagramsReceived) datagrams, \(c.recordsReceived) records, \(c.nacksReceived) NACKs, \(c.duplicateRecords) duplicates",
            "  bulk: \(c.bulksSent) sent, \(c.bulksReceived) received\(receivingBulk ? ", receiving" : "")\(sendingBulk ? ", sending" : "")\(initialBulkPending ? ", start-up bulk pending" : "")",
        ]
        lines.append("  tables: " + agreement.summary)
        if c.resendQueueOverflows > 0 || c.peerRestarts > 0 {
            lines.append("  resend-queue overflows \(c.resendQueueOverflows), peer restarts \(c.peerRestarts)")
        }
        if c.rejectedTotal > 0 {
            let reasons = SyncRejection.allCases.compactMap { r in c.rejected[r].map { "\(r.rawValue) \($0)" } }
            lines.append("  rejected: " + reasons.joined(separator: ", "))
        }
        if c.refusedTotal > 0 || c.timeoutsCapped > 0 {
            let reasons = FlowRefusal.allCases.compactMap { r in c.flowsRefused[r].map { "\(r.rawValue) \($0)" } }
            lines.append("  peer flows refused: " + (reasons.isEmpty ? "none" : reasons.joined(separator: ", "))
                         + "; timeouts capped \(c.timeoutsCapped)")
        }
        return lines
    }
}

extension TableAgreement {
    /// One line for status output; times are relative to the core's clock, so they are left
    /// out here (the daemon adds ages).
    public var summary: String {
        switch state {
        case .unknown: "agreement unknown (no conclusive comparison yet)"
        case .agree: "agree (\(peerFlows) flows)"
        case .differ: "differ: the peer reports \(peerFlows) flows, the replica holds \(replicaFlows)"
        }
    }
}
