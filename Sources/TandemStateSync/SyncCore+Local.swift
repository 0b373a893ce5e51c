/// Local flow changes and bulk transfers to the peer.
extension SyncCore {
    mutating func start(_ now: SyncTime, _ out: inout Output) {
        // pfsync demotes CARP and requests a bulk at start-up (state-sync.md §1.4); the
        // deadline bounds the demotion when the peer never answers.
        initialBulkDeadline = now + configuration.initialBulkTimeout
        requestBulk(now, &out)
    }

    /// Asks the peer for all its flows; a new request id makes the peer start a new bulk.
    mutating func requestBulk(_ now: SyncTime, _ out: inout Output) {
        bulkRequestCounter &+= 1
        if bulkRequestCounter == 0 { bulkRequestCounter = 1 }
        bulkRequest = bulkRequestCounter
        bulkRetryDue = now + configuration.bulkRetryInterval
        out.transmit = true
    }

    mutating func localUpdate(_ flow: FlowState, _ now: SyncTime, _ out: inout Output) {
        let key = flow.key
        guard localFlows[key] != flow else { return }
        localFlows[key] = flow
        queue(key, now, &out)
    }

    mutating func localDelete(_ key: FlowKey, _ now: SyncTime, _ out: inout Output) {
        guard localFlows.removeValue(forKey: key) != nil else { return }
        queue(key, now, &out)
    }

    /// The kernel's table replaces what the events told (conntrackd resyncs its internal cache
    /// from a dump after an overrun and purges what the dump lacks, state-sync.md §2.7). The
    /// dump also holds the peer's flows this node injected: those stay the peer's. A known
    /// flow whose remaining timeout is all that changed is not sent again: the peer's copy
    /// counts down on its own, and after an overrun under load re-sending the whole table
    /// would overflow the resend queue into a bulk of it.
    mutating func localSnapshot(_ flows: [FlowState], _ now: SyncTime, _ out: inout Output) {
        var present = Set<FlowKey>(minimumCapacity: flows.count)
        for flow in flows {
            let key = flow.key
            if remoteFlows[key] != nil, localFlows[key] == nil { continue }
            present.insert(key)
            if var known = localFlows[key] {
                known.timeout = flow.timeout
                if known == flow { continue }
            }
            localUpdate(flow, now, &out)
        }
        let gone = localFlows.keys.filter { !present.contains($0) }
        for key in gone { localDelete(key, now, &out) }
    }

    /// Queues a record of `key` unless the peer is still unknown: the bulk sent when it first
    /// appears covers every flow anyway.
    mutating func queue(_ key: FlowKey, _ now: SyncTime, _ out: inout Output) {
        guard peer != nil else { return }
        switch send.enqueue(flow: key) {
        case .queued, .merged:
            if transmitDue == nil { transmitDue = now + configuration.transmitDelay }
        case .overflow:
            // Reliability is lost for what was in flight; a bulk transfer restores it without
            // growing the queue (conntrackd just drops the head, state-sync.md §2.3).
            counters.resendQueueOverflows += 1
            send.reset()
            bulkSend = nil
            startBulk(now, &out)
        }
    }

    /// Starts sending every local flow, framed by bulk markers; postponed while the peer is
    /// unreachable.
    mutating func startBulk(_ now: SyncTime, _ out: inout Output) {
        guard let peer, peer.alive else {
            bulkOwed = true
            return
        }
        bulkOwed = false
        let id = nextBulkId
        nextBulkId &+= 1
        if nextBulkId == 0 { nextBulkId = 1 }
        send.enqueue(marker: .bulkStart(id))
        bulkSend = BulkSend(id: id, keys: Array(localFlows.keys))
        out.transmit = true
    }

    /// Adds the next chunk of the bulk to the stream while the resend queue has room.
    mutating func pumpBulk(_ now: SyncTime, _ out: inout Output) {
        guard var bulk = bulkSend else { return }
        var added = 0
        while bulk.index < bulk.keys.count, added < configuration.bulkChunk,
              send.count < configuration.resendQueueLimit / 2 {
            let key = bulk.keys[bulk.index]
            bulk.index += 1
            // A flow deleted since the bulk began was already sent as a deletion.
            guard localFlows[key] != nil else { continue }
            if send.enqueue(flow: key) == .queued { added += 1 }
        }
        if bulk.index == bulk.keys.count {
            send.enqueue(marker: .bulkEnd(bulk.id))
            bulkSend = nil
            counters.bulksSent += 1
        } else {
            bulkSend = bulk
        }
        if added > 0 || bulkSend == nil { out.transmit = true }
    }

    /// True when the bulk waits for acknowledgements rather than for the next event.
    var bulkBlocked: Bool {
        send.count >= configuration.resendQueueLimit / 2
    }
}
