/// Turning queued records into datagrams, and timers.
extension SyncCore {
    /// Runs at the end of every event: feed the bulk, then send if something asks for it.
    mutating func finish(_ now: SyncTime, _ out: inout Output) {
        if send.nearWrap { rotateSession(now, &out) }
        if digestDue == nil, peer?.alive == true { digestDue = now + configuration.digestInterval }
        pumpBulk(now, &out)
        let batchFull = !send.blocked && send.pendingCount >= recordsPerDatagram
        if out.transmit || batchFull || transmitDue.map({ now >= $0 }) == true {
            transmit(now, allowEmpty: out.transmit, &out)
        }
        if bulkSend != nil, !bulkBlocked, transmitDue == nil {
            transmitDue = now + configuration.transmitDelay
        }
    }

    /// How many of the largest IPv4 records fit one datagram: the batching threshold.
    private var recordsPerDatagram: Int {
        max(1, (configuration.maximumDatagram - SyncCodec.headerSize - configuration.tagLength) / 53)
    }

    /// Sends everything queued that the window allows, packed into as few datagrams as the
    /// size limit allows (FT-FW batches messages up to the MTU, §2.3). When nothing goes out
    /// and `allowEmpty` (a keepalive, ack or NACK is due) it sends one empty datagram, which
    /// carries the acknowledgement and stream position.
    mutating func transmit(_ now: SyncTime, allowEmpty: Bool, _ out: inout Output) {
        let (voids, items) = send.drain(window: configuration.reorderWindow)
        var records = out.control
        out.control.removeAll()
        records.reserveCapacity(records.count + voids.count + items.count + 1)
        counters.voidsSent += voids.count
        records.append(contentsOf: voids.map { .void($0) })
        var transmittedUpTo: UInt32 = 0
        for (seq, item, resend) in items {
            transmittedUpTo = max(transmittedUpTo, seq &+ 1)
            if resend { counters.recordsResent += 1 }
            switch item {
            case .flow(let key):
                records.append(localFlows[key].map { .update(seq: seq, $0) } ?? .delete(seq: seq, key))
            case .bulkStart(let id): records.append(.bulkStart(seq: seq, id: id))
            case .bulkEnd(let id): records.append(.bulkEnd(seq: seq, id: id))
            }
        }
        for case .void(let range) in records { transmittedUpTo = max(transmittedUpTo, range.last &+ 1) }
        // Last, so it travels after every record below its position.
        appendDigest(to: &records, transmittedUpTo: transmittedUpTo, now)
        let budget = configuration.maximumDatagram - SyncCodec.headerSize - configuration.tagLength
        var batch: [SyncRecord] = []
        var size = 0
        for record in records {
            let n = record.encodedSize
            if size + n > budget, !batch.isEmpty {
                emit(batch, &out)
                batch.removeAll(keepingCapacity: true)
                size = 0
            }
            batch.append(record)
            size += n
        }
        let sentSomething = out.actions.contains { if case .send = $0 { true } else { false } }
        if !batch.isEmpty || (allowEmpty && !sentSomething) {
            emit(batch, &out)
        } else if !sentSomething {
            // Nothing went out (the window is closed): keep the keepalive and ack timers.
            transmitDue = nil
            return
        }
        lastSent = now
        transmitDue = nil
        peer?.unacknowledged = 0
        peer?.ackDue = nil
    }

    private mutating func emit(_ records: [SyncRecord], _ out: inout Output) {
        // Announce only what has been put on the wire: a flush that spans several datagrams
        // must not make the receiver NACK the records in the datagrams right behind.
        for record in records {
            switch record {
            case .void(let range): announced = max(announced, range.last &+ 1)
            default: if let seq = record.sequence { announced = max(announced, seq &+ 1) }
            }
        }
        let d = SyncDatagram(session: session, peerSession: peer?.session ?? 0, packet: nextPacket,
                             sent: announced, ack: peer?.stream.expected ?? 0,
                             bulkRequest: bulkRequest, challenge: challenge, echo: echo, records: records)
        nextPacket += 1
        counters.datagramsSent += 1
        counters.recordsSent += records.count
        out.actions.append(.send(d))
    }

    mutating func tick(_ now: SyncTime, _ out: inout Output) {
        if let p = peer, p.alive, now >= p.lastHeard + configuration.peerDeadAfter {
            // The stream stays as it is: if the peer comes back with the same session, it
            // continues where it stopped, an unfinished bulk included.
            peer?.alive = false
            out.actions.append(.peerDown)
            resetAgreement()
        }
        if let due = digestDue, now >= due { out.transmit = true }
        if let deadline = initialBulkDeadline, now >= deadline {
            // pfsync "pretends the transfer was ok" after its retries (§1.4): stop holding
            // CARP back, but keep asking.
            initialBulkDeadline = nil
            out.actions.append(.initialBulk(.timedOut))
        }
        if let due = bulkRetryDue, now >= due { requestBulk(now, &out) }
        if let due = peer?.ackDue, now >= due { out.transmit = true }
        if let p = peer, p.stream.hasGap, now >= p.nackAllowed { nack(now, &out) }
        if lastSent.map({ now >= $0 + configuration.keepaliveInterval }) ?? true { out.transmit = true }
    }
}

extension SyncCore {
    /// Starts a new session when the 32-bit stream is about to wrap: to the peer this looks
    /// like a restart, so both sides resynchronise with a bulk. At 50,000 records per second
    /// that happens about once a day. The new id is derived from the old one (SplitMix64
    /// finaliser): session ids need to be unique, not secret.
    mutating func rotateSession(_ now: SyncTime, _ out: inout Output) {
        var z = session &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        session = z == 0 ? 1 : z
        send = SendStream(limit: configuration.resendQueueLimit)
        announced = 1
        nextPacket = 1
        bulkSend = nil
        counters.sessionRotations += 1
        renewChallenge()
        startBulk(now, &out)
    }
}
