/// Datagrams from the peer: validation, acknowledgements, and in-order delivery of its stream.
extension SyncCore {
    /// The ladder of checks a datagram must pass before it may change anything (STYLE §13).
    func validate(_ d: SyncDatagram) -> SyncRejection? {
        if d.session == session { return .ownSession }
        guard d.session != 0, d.packet != 0 else { return .malformed }
        if let peer, peer.session == d.session {
            guard peer.replay.allows(d.packet) else { return .replayed }
        } else if formerPeerSessions.contains(d.session) {
            return .staleSession
        } else if peer != nil, d.echo != challenge {
            return .unverifiedSession
        }
        if d.peerSession == session, d.ack > send.nextSeq { return .badAcknowledgement }
        var digests = 0
        for record in d.records {
            if let seq = record.sequence, seq >= d.sent { return .malformed }
            switch record {
            case .void(let range): if range.last >= d.sent { return .malformed }
            case .digest(let summary):
                digests += 1
                if summary.position > d.sent || digests > 1 { return .badDigest }
            default: break
            }
        }
        return nil
    }

    mutating func receive(_ d: SyncDatagram, _ now: SyncTime, _ out: inout Output) {
        if let reason = validate(d) {
            counters.reject(reason)
            if reason == .unverifiedSession { challengeNewcomer(d, now, &out) }
            return
        }
        counters.datagramsReceived += 1
        counters.recordsReceived += d.records.count
        if peer?.session != d.session { adopt(d, now, &out) }
        echo = d.challenge
        guard var p = peer else { preconditionFailure("peer adopted above") }
        p.replay.accept(d.packet)
        p.lastHeard = now
        peer = p
        if !p.alive {
            peer?.alive = true
            out.actions.append(.peerUp)
            if bulkOwed { startBulk(now, &out) }
        }

        if bulkOwed, peer?.alive == true { startBulk(now, &out) }
        // Beyond liveness, only a datagram that names our current session counts: the peer
        // wrote it after it heard from this very process, so no datagram recorded before we
        // started (a replay to a freshly restarted node) can feed our table, acknowledge our
        // records or ask us for a bulk.
        guard d.peerSession == session else { return }
        // The send window moved: what waited for it can go.
        if send.acknowledge(upTo: d.ack), send.hasPending { out.transmit = true }
        for case .nack(let range) in d.records {
            counters.nacksReceived += 1
            _ = send.negativeAcknowledge(range)
            out.transmit = true
        }
        if d.bulkRequest != 0, d.bulkRequest != peer?.servedBulkRequest {
            peer?.servedBulkRequest = d.bulkRequest
            if bulkSend == nil { startBulk(now, &out) }
        }
        receiveStream(d, now, &out)
    }

    /// First datagram of a peer session we did not know: the peer is new or restarted. Both
    /// sides forget the old streams (FT-FW HELLO flushes the resend queue, §2.3) and send each
    /// other everything.
    private mutating func adopt(_ d: SyncDatagram, _ now: SyncTime, _ out: inout Output) {
        var alive = false
        if let old = peer {
            // A peer that restarted before it was declared dead (a quick reboot, or CARP
            // faster than the sync dead timer): when this node carries the traffic, the
            // peer's old flows run through it and must survive the peer's (empty) bulk. On a
            // backup they stay the peer's, so its bulk prunes what ended while it was away.
            if carrying { adoptPeerFlows(&out) }
            formerPeerSessions.append(old.session)
            if formerPeerSessions.count > configuration.rememberedPeerSessions { formerPeerSessions.removeFirst() }
            counters.peerRestarts += 1
            out.actions.append(.peerRestarted)
            alive = old.alive
        }
        // Every session's stream starts at 1: NACKing from there makes the sender declare void
        // whatever came before we listened, and we miss no record of a fresh peer.
        peer = PeerState(session: d.session, replay: ReplayWindow(size: configuration.replayWindow),
                         stream: ReceiveStream(expected: 1, window: configuration.reorderWindow),
                         lastHeard: now, alive: alive,
                         servedBulkRequest: d.peerSession == session ? d.bulkRequest : 0, nackAllowed: now)
        send.reset()
        bulkSend = nil
        bulkReceive = nil
        bulkOwed = true
        resetAgreement()
        // Whoever echoed the old challenge has had its turn; the next newcomer needs a fresh one.
        renewChallenge()
        out.transmit = true
    }

    private mutating func receiveStream(_ d: SyncDatagram, _ now: SyncTime, _ out: inout Output) {
        // Take the peer state out while working on its stream, so the reorder buffer is
        // mutated in place instead of copied.
        guard var p = peer else { return }
        peer = nil
        p.stream.announce(d.sent)
        var sequenced = 0
        var duplicate = false
        var digest: TableSummary?
        for record in d.records {
            switch record {
            case .nack:
                continue
            case .digest(let summary):
                digest = summary
            case .void(let range):
                p.stream.insertVoid(range)
                sequenced += 1
            case .update, .delete, .bulkStart, .bulkEnd:
                sequenced += 1
                switch p.stream.insert(record) {
                case .accepted: break
                case .duplicate:
                    counters.duplicateRecords += 1
                    duplicate = true
                case .outOfWindow:
                    counters.recordsOutOfWindow += 1
                }
            }
        }
        peer = p
        if let digest { receiveDigest(digest, now, &out) }
        let delivered = drainStream(now, &out)
        if sequenced > 0 {
            peer?.unacknowledged += delivered
            // A duplicate means the sender is resending for want of our ack: ack now.
            if duplicate || (peer?.unacknowledged ?? 0) >= configuration.ackWindow {
                out.transmit = true
            } else if peer?.ackDue == nil {
                peer?.ackDue = now + configuration.ackDelay
            }
        }
        if let p = peer, p.stream.hasGap, now >= p.nackAllowed { nack(now, &out) }
    }

    /// Delivers what the peer's stream holds in order, stopping at a pending digest's position
    /// to compare the replica there. Returns the number of records delivered.
    private mutating func drainStream(_ now: SyncTime, _ out: inout Output) -> Int {
        var delivered = 0
        while var p = peer {
            let stop = pendingDigest?.summary.position
            peer = nil
            let ready = p.stream.drain(before: stop)
            let voidFrom = p.stream.voidDrainedFrom
            let expected = p.stream.expected
            peer = p
            for record in ready { deliver(record, now, &out) }
            delivered += ready.count
            guard let stop else { break }
            if let voidFrom, voidFrom < stop { pendingDigest?.voided = true }
            guard expected >= stop else { break }
            concludeDigest(at: expected, now, &out)
        }
        return delivered
    }

    /// Sends NACKs for the gaps of the peer's stream, at most once per `nackInterval`.
    mutating func nack(_ now: SyncTime, _ out: inout Output) {
        guard let p = peer else { return }
        let gaps = p.stream.gaps(limit: configuration.maximumNackRanges)
        guard !gaps.isEmpty else { return }
        out.control.append(contentsOf: gaps.map { .nack($0) })
        counters.nacksSent += gaps.count
        peer?.nackAllowed = now + configuration.nackInterval
        out.transmit = true
    }

    /// Applies one in-order record of the peer's stream to the replicated table.
    private mutating func deliver(_ record: SyncRecord, _ now: SyncTime, _ out: inout Output) {
        switch record {
        case .update(_, let flow):
            let key = flow.key
            bulkReceive?.seen.insert(key)
            if bulkReceive != nil, bulkRequest != 0 { bulkRetryDue = now + configuration.bulkRetryInterval }
            // Out of scope: never injected nor kept, so a later delete of the key cannot
            // touch this node's own entry of it; one that was in scope before goes.
            if let reason = scope.refusal(flow) {
                counters.refuse(reason)
                if remoteFlows[key] != nil { dropRemote(key, now, &out) }
                return
            }
            // The hash is of the state as the peer holds it, so the table digests compare.
            let hash = TableDigest.hash(flow)
            if remoteFlows.updateValue(hash, forKey: key) != hash {
                let admitted = scope.admitted(flow)
                if admitted.timeout != flow.timeout { counters.timeoutsCapped += 1 }
                out.actions.append(.apply(admitted))
            }
        case .delete(_, let key):
            bulkReceive?.seen.remove(key)
            if remoteFlows[key] != nil { dropRemote(key, now, &out) }
        case .bulkStart(_, let id):
            bulkReceive = BulkReceive(id: id)
            if bulkRequest != 0 { bulkRetryDue = now + configuration.bulkRetryInterval }
        case .bulkEnd(_, let id):
            guard let bulk = bulkReceive, bulk.id == id else { return }
            // pfsync accepts BUS END only if the bulk covers the request (§1.4); the in-order
            // stream guarantees that, so everything the bulk did not mention is gone.
            for key in remoteFlows.keys where !bulk.seen.contains(key) {
                counters.flowsPrunedByBulk += 1
                dropRemote(key, now, &out)
            }
            bulkReceive = nil
            counters.bulksReceived += 1
            lastBulkCompleted = now
            bulkRequest = 0
            bulkRetryDue = nil
            if initialBulkDeadline != nil {
                initialBulkDeadline = nil
                out.actions.append(.initialBulk(.completed))
            }
        case .nack, .void, .digest:
            preconditionFailure("control records are not delivered")
        }
    }

    /// The peer's flow `key` ended. A flow this node carries (taken over after a failover)
    /// stays in its kernel: the peer's copy goes, the connection does not. One the daemon
    /// adopted when the peer fell silent, on a node that did not take the traffic over (only
    /// the sync link failed), goes, and so does the copy the peer got of it: the peer's word
    /// stands.
    private mutating func dropRemote(_ key: FlowKey, _ now: SyncTime, _ out: inout Output) {
        remoteFlows[key] = nil
        if localFlows[key] != nil {
            guard !carrying else { return }
            localFlows[key] = nil
            queue(key, now, &out)
        }
        out.actions.append(.remove(key))
    }

    /// The peer session that fed `remoteFlows` is gone (restarted or silent), but its flows
    /// are in this node's kernel and may carry traffic through it after a failover: they are
    /// this node's now, so the bulk a restarted peer gets carries them back (pfsync keeps one
    /// state table and sends all of it, state-sync.md §1.4), and the peer's empty bulk after
    /// a reboot cannot prune them from under live connections.
    /// The replica holds hashes, not states: the daemon reads the states from its kernel
    /// (`adoptKernelTable`) and reports them as local updates, which the stream carries to
    /// the peer after the bulk this restart starts.
    mutating func adoptPeerFlows(_ out: inout Output) {
        remoteFlows.removeAll()
        out.actions.append(.adoptKernelTable)
    }
}
