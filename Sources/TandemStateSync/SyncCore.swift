/// The state-sync protocol as a value: `handle(event, now)` returns the new state's actions
/// and never reads a clock, opens a socket or starts a timer (DESIGN "Protocol logic is
/// sans-I/O", STYLE §3). It implements conntrackd's FT-FW design (state-sync.md §2.3, §7):
///
/// * every local flow change becomes a sequence-numbered record carrying the flow's full
///   state (or its deletion), batched into datagrams up to `maximumDatagram`;
/// * the receiver delivers records in order, acknowledges cumulatively, and NACKs gaps; the
///   sender resends from a bounded resend queue in which a newer change of a flow replaces
///   the older record, and falls back to a bulk transfer when the queue overflows;
/// * keepalives carry the acknowledgement and the stream position, so tail losses are found
///   and a silent peer is declared dead;
/// * a random session id in every datagram reveals a restarted peer; both sides then reset
///   their streams and send each other everything, framed by bulk start/end markers (pfsync
///   bulk update, §1.4), after which the receiver drops flows the bulk did not mention; a
///   new session replaces a known one only after it echoed this node's current challenge,
///   so a replayed datagram of an older session cannot displace the live one;
/// * at start-up the node asks for a bulk and reports when it completed or timed out, so the
///   daemon can keep CARP demoted meanwhile.
public struct SyncCore: Sendable {
    public let configuration: SyncConfiguration
    /// Which of the peer's flows may be injected here (FlowScope.swift).
    public let scope: FlowScope
    public internal(set) var session: UInt64
    public internal(set) var counters = SyncCounters()

    /// This node's flows, as last reported by the conntrack adapter.
    public internal(set) var localFlows: [FlowKey: FlowState] = [:]
    /// The peer's flows as replicated here: for each, `TableDigest.hash` of the state last
    /// applied. The states themselves live in the kernel; the replica needs only to tell a
    /// changed state from a repeat, to know which keys exist (deletes, bulk pruning, dumps)
    /// and to sum the table digest. A hash instead of a `FlowState` makes the backup's
    /// replica of 100k flows several times smaller; an equal hash for a changed state (one in
    /// 2^64) would skip one refresh until the flow's next change.
    public internal(set) var remoteFlows: [FlowKey: UInt64] = [:]

    /// When the driver must deliver `.tick` next, if anything is scheduled (as of the last
    /// event handled).
    public private(set) var nextDeadline: SyncTime?

    var send: SendStream
    var peer: PeerState?
    var formerPeerSessions: [UInt64] = []

    // Session adoption (SyncCore+Session.swift).
    /// What a newcomer session must echo to replace `peer`: new at every adoption.
    public internal(set) var challenge: UInt64 = 0
    var challengesIssued: UInt64 = 0
    /// The challenge this node echoes: the current peer's, or a newcomer's that may need it.
    var echo: UInt64 = 0
    /// No prompt answer to a newcomer before this time (rate limit under a flood).
    var newcomerAnswerAllowed: SyncTime?
    var nextPacket: UInt64 = 1
    /// One past the highest sequence number transmitted: the `sent` field.
    var announced: UInt32 = 1
    var lastSent: SyncTime?
    var transmitDue: SyncTime?

    // Bulk transfer to the peer.
    var bulkSend: BulkSend?
    var nextBulkId: UInt32 = 1
    /// A bulk is owed to the peer but it is not reachable now.
    var bulkOwed = false
    /// This node is CARP MASTER (`SyncEvent.carrying`).
    public internal(set) var carrying = false

    // Bulk transfer from the peer.
    var bulkRequest: UInt32 = 0
    var bulkRequestCounter: UInt32 = 0
    var bulkRetryDue: SyncTime?
    var initialBulkDeadline: SyncTime?
    var lastBulkCompleted: SyncTime?
    /// The peer's bulk in progress (a field of the core, not of `PeerState`, so the set of
    /// seen flows is updated in place).
    var bulkReceive: BulkReceive?

    // Table agreement (SyncCore+Agreement.swift).
    /// When this node sends its next table digest.
    var digestDue: SyncTime?
    /// The peer's digest waiting for the replica to reach its position.
    var pendingDigest: PendingDigest?
    public internal(set) var agreement = TableAgreement()
    var disagreementsInARow = 0

    public init(configuration: SyncConfiguration = SyncConfiguration(), scope: FlowScope = FlowScope(), session: UInt64) {
        precondition(session != 0, "session id 0 means 'unknown' on the wire")
        self.configuration = configuration
        self.scope = scope
        self.session = session
        send = SendStream(limit: configuration.resendQueueLimit)
        renewChallenge()
    }

    public mutating func handle(_ event: SyncEvent, now: SyncTime) -> [SyncAction] {
        var out = Output()
        switch event {
        case .start: start(now, &out)
        case .localUpdate(let flow): localUpdate(flow, now, &out)
        case .localDelete(let key): localDelete(key, now, &out)
        case .localSnapshot(let flows): localSnapshot(flows, now, &out)
        case .received(let datagram): receive(datagram, now, &out)
        case .rejected(let reason): counters.reject(reason)
        case .tick: tick(now, &out)
        case .flush: out.transmit = send.hasPending
        case .requestBulk: requestBulk(now, &out)
        case .carrying(let value): carrying = value
        }
        finish(now, &out)
        nextDeadline = earliestDeadline()
        return out.actions
    }

    /// The earliest of the timers the state holds. Worked out once per event and stored: the
    /// driver's loop asks for it on every turn, and a computed property read through the
    /// driver copies the whole core.
    func earliestDeadline() -> SyncTime? {
        var earliest: SyncTime?
        func consider(_ t: SyncTime?) {
            if let t, earliest.map({ t < $0 }) ?? true { earliest = t }
        }
        consider(lastSent.map { $0 + configuration.keepaliveInterval })
        consider(initialBulkDeadline)
        consider(bulkRetryDue)
        consider(transmitDue)
        consider(digestDue)
        if let peer {
            if peer.alive { consider(peer.lastHeard + configuration.peerDeadAfter) }
            consider(peer.ackDue)
            if peer.stream.hasGap { consider(peer.nackAllowed) }
        }
        return earliest
    }

    public var status: SyncStatus {
        SyncStatus(counters: counters, session: session, peerSession: peer?.session,
                   peerAlive: peer?.alive ?? false, localFlows: localFlows.count, remoteFlows: remoteFlows.count,
                   resendQueue: send.count, receivingBulk: bulkReceive != nil, sendingBulk: bulkSend != nil,
                   initialBulkPending: initialBulkDeadline != nil, lastBulkCompleted: lastBulkCompleted,
                   agreement: agreement)
    }

    /// Collects actions during one event; `transmit` asks for a datagram even when nothing
    /// is queued (keepalive, prompt ack).
    struct Output {
        var actions: [SyncAction] = []
        var transmit = false
        /// Unsequenced records (NACKs) for the next datagram.
        var control: [SyncRecord] = []
    }
}

/// What the core knows about the current peer session.
struct PeerState: Sendable {
    var session: UInt64
    var replay: ReplayWindow
    var stream: ReceiveStream
    var lastHeard: SyncTime
    var alive = true
    /// The peer's bulk request id we last started a bulk for.
    var servedBulkRequest: UInt32 = 0
    /// Records delivered since our last transmitted ack.
    var unacknowledged = 0
    var ackDue: SyncTime?
    /// No NACK before this time (rate limit).
    var nackAllowed: SyncTime
}

/// A bulk transfer being received: its id and the flows it mentioned so far.
struct BulkReceive: Sendable {
    var id: UInt32
    var seen: Set<FlowKey> = []
}

/// Progress of a bulk transfer to the peer: the flows that existed when it began.
struct BulkSend: Sendable {
    var id: UInt32
    var keys: [FlowKey]
    var index = 0
}
